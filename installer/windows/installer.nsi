; 医疗质量自查助手 — Windows installer (NSIS 3, Unicode). Built by build.ps1:
;
;   makensis /INPUTCHARSET UTF8 /DVERSION=0.1.0 /DPAYLOAD=<PyInstaller output folder> /DOUTDIR=<folder> installer.nsi
;
; → <OUTDIR>\医疗质量自查助手-<VERSION>-安装程序.exe
;
; Installs for the current user without administrator rights (%LOCALAPPDATA%\Programs\医疗质量自查助手),
; adds Start-menu and desktop shortcuts and an entry in 设置 → 应用. The user's data
; (%LOCALAPPDATA%\MedQualitySelfCheck: the database, attachments, error log) is a different folder:
; neither an upgrade nor the uninstaller touches it. Silent: 安装程序.exe /S [/D=folder].

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "VERSION is not defined (makensis /DVERSION=x.y.z)"
!endif
!ifndef PAYLOAD
  !error "PAYLOAD is not defined (the PyInstaller folder holding MedQualitySelfCheck.exe)"
!endif
!ifndef OUTDIR
  !define OUTDIR "."
!endif
!ifndef ICONFILE
  !define ICONFILE "..\icons\mqsc.ico"
!endif

!define APPNAME "医疗质量自查助手"
!define APPID "MedQualitySelfCheck"
!define EXE "MedQualitySelfCheck.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"
!define DATADIR "$LOCALAPPDATA\MedQualitySelfCheck"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

Name "${APPNAME}"
OutFile "${OUTDIR}\${APPNAME}-${VERSION}-安装程序.exe"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APPNAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "CompanyName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${APPNAME}"

!define MUI_ICON "${ICONFILE}"
!define MUI_UNICON "${ICONFILE}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "将在本机安装 ${APPNAME} ${VERSION}。$\r$\n$\r$\n本程序全程离线使用，不需要网络。安装只针对当前用户，不需要管理员权限。$\r$\n$\r$\n数据保存在 ${DATADIR}，升级或卸载程序都不会删除。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "现在启动 ${APPNAME}"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "将从本机卸载 ${APPNAME}。$\r$\n您的数据（${DATADIR} 中的数据库和附件）不会被删除；如确实不再需要，请在卸载后手动删除该文件夹。"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

;; A running program holds its .exe and DLLs: RMDir /r skipped them without a word and File then
;; stopped on them (or a silent install aborted), leaving half an old and half a new program. An
;; .exe loaded by a running process cannot be opened for writing: that tells it (a running .exe can
;; be renamed, so renaming would not).
!macro REFUSE_WHILE_RUNNING FILE
  ${If} ${FileExists} "$INSTDIR\${FILE}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${FILE}" a
    ${If} ${Errors}
      MessageBox MB_ICONSTOP "${APPNAME} 正在运行（${FILE}）。请先关闭它，再重新运行本程序。" /SD IDOK
      Abort
    ${EndIf}
    FileClose $0
  ${EndIf}
!macroend

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APPNAME} 需要 64 位 Windows 10（1809 或更新版本）或 Windows 11。"
    Abort
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} 17763
    MessageBox MB_ICONSTOP "${APPNAME} 需要 Windows 10（1809 或更新版本）或 Windows 11。$\r$\nWindows 7、8 无法运行本程序所用的 Qt 6 和 Python。"
    Abort
  ${EndIf}
FunctionEnd

Section "${APPNAME}" SecMain
  SectionIn RO
  !insertmacro REFUSE_WHILE_RUNNING "${EXE}"
  !insertmacro REFUSE_WHILE_RUNNING "mqsc.exe"
  SetOutPath "$INSTDIR"
  ; an upgrade replaces the program's own files only (the data folder is elsewhere)
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APPNAME}\卸载 ${APPNAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  !insertmacro REFUSE_WHILE_RUNNING "${EXE}"
  !insertmacro REFUSE_WHILE_RUNNING "mqsc.exe"
  Delete "$DESKTOP\${APPNAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APPNAME}"
  ; only what the installer put there: a folder the user chose may hold other files
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\mqsc.exe"
  Delete "$INSTDIR\THIRD-PARTY.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
  ; ${DATADIR} (the database and attachments) is kept on purpose
SectionEnd
