# Build the Windows installer of the program (MedQualitySelfCheck), on Windows 10/11 x64:
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
#
# Output: dist\<Chinese program name>-<version>-<Chinese "installer">.exe (the name is set in installer.nsi).
#
# Needs (installed once; the script says what is missing):
#   - Python 3.12 x64 from python.org (the "py" launcher: py -3.12)
#   - MSYS2 in C:\msys64 (https://www.msys2.org or: winget install MSYS2.MSYS2); the script runs
#     pacman -S mingw-w64-x86_64-pango, the Pango/HarfBuzz/Fontconfig DLLs WeasyPrint needs,
#     as WeasyPrint's own documentation and Windows executable use
#   - NSIS 3 (winget install NSIS.NSIS), for makensis
# Network: PyPI and MSYS2's mirrors, during the build only. Takes about 10 minutes the first time.
#
# This file is ASCII on purpose: Windows PowerShell 5.1 reads a script without a BOM in the
# system code page.
[CmdletBinding()]
param(
    [string]$Python = "py -3.12",
    [string]$Msys2 = "C:\msys64",
    [string]$Msys2Env = "mingw64",
    [switch]$SkipInstaller
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
$Build = Join-Path $Root "build\windows"
$Dist = Join-Path $Root "dist"
New-Item -ItemType Directory -Force -Path $Build, $Dist | Out-Null

function Step($text) { Write-Host "`n== $text" -ForegroundColor Cyan }
function Run($exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') failed (exit $LASTEXITCODE)" }
}

$Version = (Select-String -Path "app\__init__.py" -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
Write-Host "version $Version"

# -- Python 3.12 ---------------------------------------------------------------------------------
Step "Python"
$pyParts = $Python.Split(" ")
$pyExe = $pyParts[0]
$pyArgs = @($pyParts | Select-Object -Skip 1)
$pyVersion = & $pyExe @pyArgs -c "import sys, struct; print('%d.%d %d' % (sys.version_info[0], sys.version_info[1], struct.calcsize('P') * 8))"
if ($LASTEXITCODE -ne 0 -or -not $pyVersion.StartsWith("3.12 64")) {
    throw "Python 3.12 (64-bit) not found as '$Python'. Install it from python.org, or pass -Python <path to python.exe>."
}
$Venv = Join-Path $Build "venv"
$VenvPy = Join-Path $Venv "Scripts\python.exe"
$Req = Join-Path $Root "installer\windows\requirements.txt"
$Stamp = Join-Path $Venv ".stamp"
$ReqHash = (Get-FileHash $Req -Algorithm SHA256).Hash
if (-not (Test-Path $VenvPy) -or -not (Test-Path $Stamp) -or (Get-Content $Stamp) -ne $ReqHash) {
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    Run $pyExe ($pyArgs + @("-m", "venv", $Venv))
    Run $VenvPy @("-m", "pip", "install", "-q", "--upgrade", "pip")
    Run $VenvPy @("-m", "pip", "install", "-q", "--only-binary=:all:", "-r", $Req)
    Set-Content -Path $Stamp -Value $ReqHash
}

# -- Pango, HarfBuzz, Fontconfig from MSYS2 ------------------------------------------------------
Step "MSYS2 $Msys2Env Pango"
$Bash = Join-Path $Msys2 "usr\bin\bash.exe"
if (-not (Test-Path $Bash)) {
    throw "MSYS2 not found in $Msys2. Install it (https://www.msys2.org or winget install MSYS2.MSYS2) or pass -Msys2 <folder>."
}
$pkgPrefix = @{ "mingw64" = "mingw-w64-x86_64"; "ucrt64" = "mingw-w64-ucrt-x86_64" }[$Msys2Env]
Run $Bash @("-lc", "pacman -S --needed --noconfirm $pkgPrefix-pango")
$MsysPrefix = Join-Path $Msys2 $Msys2Env
# PyInstaller finds the DLLs Pango links to (GLib, FreeType, FriBidi, ...) on PATH
$env:PATH = (Join-Path $MsysPrefix "bin") + ";" + $env:PATH

# -- the one-folder bundle -----------------------------------------------------------------------
Step "PyInstaller"
$env:MQSC_MSYS2 = $MsysPrefix
$env:MQSC_VERSION = $Version
$Payload = Join-Path $Build "dist\MedQualitySelfCheck"
if (Test-Path $Payload) { Remove-Item -Recurse -Force $Payload }
Run (Join-Path $Venv "Scripts\pyinstaller.exe") @("--noconfirm", "--log-level", "WARN",
    "--distpath", (Join-Path $Build "dist"), "--workpath", (Join-Path $Build "work"),
    (Join-Path $Root "installer\windows\mqsc.spec"))
Copy-Item (Join-Path $Root "installer\THIRD-PARTY.txt") $Payload

# -- check the bundle before packing it: version, demo data, reports, backup, export, summary --
Step "check the bundle"
$Check = Join-Path $Build "check"
if (Test-Path $Check) { Remove-Item -Recurse -Force $Check }
New-Item -ItemType Directory -Path $Check | Out-Null
$env:MQSC_DATA_DIR = $Check
# the check must use the bundled DLLs only, not the MSYS2 ones on PATH
$savedPath = $env:PATH
$env:PATH = "$env:SystemRoot\system32;$env:SystemRoot"
try {
    $cli = Join-Path $Payload "mqsc.exe"
    Run $cli @("--version")
    $round = (& $cli demo --db (Join-Path $Check "demo.db") | Select-Object -Last 1).Trim()
    if ($LASTEXITCODE -ne 0) { throw "demo failed" }
    foreach ($kind in @("self", "rectification")) {
        $pdf = Join-Path $Check "$kind.pdf"
        Run $cli @("report", "--db", (Join-Path $Check "demo.db"), "--round", $round, "--kind", $kind, "--out", $pdf)
        if ((Get-Item $pdf).Length -lt 10000) { throw "$pdf is too small" }
    }
    # what writes through a temporary file and flushes it: Windows flushes only a handle opened
    # for writing, and with a read-only one every backup and export failed while reports worked
    $db = Join-Path $Check "demo.db"
    $zip = Join-Path $Check "package.zip"
    Run $cli @("backup", "--db", $db)
    Run $cli @("export", "--db", $db, "--round", $round, "--out", $zip)
    Run $cli @("verify", $zip)
    Run $cli @("aggregate", "--out", (Join-Path $Check "summary.xlsx"), "--sqlite", (Join-Path $Check "summary.db"), $zip)
    # 报告预览 draws the pages with PDFium, which pypdfium2 loads by path (ctypes): no analysis
    # sees it, and the .deb once shipped without it
    if (-not (Test-Path (Join-Path $Payload "_internal\pypdfium2_raw\pdfium.dll"))) {
        throw "PDFium (pypdfium2_raw\pdfium.dll) is missing from the bundle: the report preview would fail"
    }
} finally {
    $env:PATH = $savedPath
    Remove-Item Env:\MQSC_DATA_DIR
}

if ($SkipInstaller) { Write-Host "bundle: $Payload"; exit 0 }

# -- the installer -------------------------------------------------------------------------------
Step "NSIS"
$makensis = (Get-Command makensis -ErrorAction SilentlyContinue).Source
if (-not $makensis) {
    foreach ($candidate in @("${env:ProgramFiles(x86)}\NSIS\makensis.exe", "$env:ProgramFiles\NSIS\makensis.exe")) {
        if (Test-Path $candidate) { $makensis = $candidate; break }
    }
}
if (-not $makensis) { throw "makensis not found: install NSIS 3 (winget install NSIS.NSIS)." }
Run $makensis @("/INPUTCHARSET", "UTF8", "/V2", "/DVERSION=$Version", "/DPAYLOAD=$Payload", "/DOUTDIR=$Dist",
    (Join-Path $Root "installer\windows\installer.nsi"))
Get-ChildItem $Dist -Filter "*-$Version-*.exe" | ForEach-Object {
    Write-Host ("built {0} ({1:N0} MB)" -f $_.FullName, ($_.Length / 1MB))
}
