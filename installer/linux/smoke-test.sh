#!/usr/bin/env bash
# Smoke test of the .deb, as a hospital's PC would meet it (issue 10):
#
#   bash installer/linux/smoke-test.sh [--no-build | --host]
#
# 1. build it: in the Debian 11 chroot (installer/linux/build-in-chroot.sh, the package we ship,
#    glibc ≥ 2.28, checked from the symbol versions its files need), or on this machine with --host (installer/linux/build.sh, faster, glibc ≥ the
#    machine's), or not at all with --no-build (test dist/ as it is);
# 2. unpack it and check the 统信UOS layout (files/, entries/, info) and that it has no
#    maintainer scripts;
# 3. with NO network (unshare -n) run the bundled program from the unpacked tree: --version, demo
#    into the default user data folder, both PDF reports (text holds the hospital's name, fonts
#    embedded are the bundled Noto CJK), and the GUI under Xvfb until its window shows, with a
#    screenshot in dist/ (…-first-window.png); then, on an fcitx desktop (fcitx5 on a session bus,
#    QT_IM_MODULE=fcitx as 统信UOS and 麒麟 set it), Chinese typed with xdotool through fcitx5
#    into an item's 问题描述 reaches the database (the bundled Qt has no fcitx plugin), and pinyin
#    through fcitx 4 (unpacked by ./test.sh's set-up), whose client the program is itself; and
#    生成自查报告 (Ctrl+P) opens 报告预览 with its pages drawn by the bundled PDFium (screenshot
#    …-report-preview.png); the 概览 tab's charts (…-overview.png);
# 4. dpkg -i, check the desktop entry and icon, run the installed program, dpkg -r, and check the
#    user's database is still there.
# Needs root (unshare, dpkg -i). Prints one line per check and "N passed, 0 failed" at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

APPID=cn.medquality.selfcheck
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
DEB=dist/${APPID}_${VERSION}_amd64.deb
HOSPITAL="示例县人民医院"  # the demo data's hospital
SHOT=$ROOT/dist/${APPID}_${VERSION}-first-window.png
# A Python with PySide6 takes the screenshot: the project's own .venv (./test.sh makes it).
SHOT_PY=$ROOT/.venv/bin/python
[ -x "$SHOT_PY" ] || SHOT_PY=$ROOT/${MQSC_BUILD_DIR:-build/linux}/venv/bin/python

passed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; echo "$passed passed, 1 failed"; exit 1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

need=()
for p in xvfb x11-utils poppler-utils desktop-file-utils bc unzip libcups2 fcitx5 dbus-daemon xdotool; do  # libcups2: the package Depends on it
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
unshare -n true || fail "unshare -n is not permitted (run as root)"
[ -x "$SHOT_PY" ] || fail "no Python with PySide6 for the screenshots: run ./test.sh first (it makes .venv)"

start=$(date +%s)
case "${1:-}" in
  --no-build) ;;
  --host) bash installer/linux/build.sh ;;
  "") bash installer/linux/build-in-chroot.sh ;;
  *) echo "usage: $0 [--no-build | --host]" >&2; exit 2 ;;
esac
[ -f "$DEB" ] || fail "$DEB was not built"
ok "built $DEB ($(du -h "$DEB" | cut -f1))"

WORK=$(mktemp -d)
XPID=""
APPPID=""
FCITXPID=""
BUSPID=""
cleanup() {
  [ -n "$APPPID" ] && kill "$APPPID" 2>/dev/null || true
  [ -n "$FCITXPID" ] && kill "$FCITXPID" "$BUSPID" 2>/dev/null || true
  [ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# -- the package as unpacked ------------------------------------------------------------------------
X=$WORK/root
dpkg-deb -x "$DEB" "$X"
dpkg-deb -e "$DEB" "$WORK/control"
OPT=$X/opt/apps/$APPID
check "layout: files/mqsc" test -x "$OPT/files/mqsc"
check "layout: entries/applications/$APPID.desktop" test -f "$OPT/entries/applications/$APPID.desktop"
check "layout: entries/icons (svg and png)" test -f "$OPT/entries/icons/hicolor/scalable/apps/$APPID.svg" \
  -a -f "$OPT/entries/icons/hicolor/48x48/apps/$APPID.png"
check "layout: info is JSON naming the appid" grep -q "\"appid\": \"$APPID\"" "$OPT/info"
check "no maintainer scripts" test "$(ls "$WORK/control")" = "control"
check "Qt zh_CN translation bundled" test -f "$OPT/files/_internal/PySide6/Qt/translations/qtbase_zh_CN.qm"
check "CJK font and its licence bundled" test -f "$OPT/files/_internal/fonts/NotoSerifSC-Regular.otf" \
  -a -f "$OPT/files/_internal/fonts/LICENSE-NotoCJK-OFL.txt"
floor=$(cat "$OPT/files/GLIBC-FLOOR")
check "Depends states the glibc floor ($floor)" grep -q "libc6 (>= $floor)" "$WORK/control/control"
check "the floor stated is the bundle's own" test "$(bash installer/linux/glibc-floor.sh "$OPT/files")" = "$floor"
if [ "${1:-}" != --host ]; then  # the package we ship: 统信UOS 20 (Debian 10 based) has glibc 2.28
  check "runs on glibc 2.28: needs $floor" test "$(printf '%s\n' "$floor" 2.28 | sort -V | tail -1)" = 2.28
fi

# -- offline runs of the bundled program ------------------------------------------------------------
export HOME=$WORK/home
mkdir -p "$HOME"
DATA=$HOME/.local/share/MedQualitySelfCheck
OFFLINE=(env -u MQSC_DATA_DIR -u MQSC_DB unshare -n)
offline() { "${OFFLINE[@]}" "$@"; }
quiet() { "$@" >/dev/null; }  # a check's command whose report is not wanted in the log
# in the background without the function: $! must be the program itself (env and unshare exec
# it), or killing $! would leave it running, holding the database for the next start
APP=$OPT/files/mqsc

out=$(offline "$APP" --version)
check "offline --version: $out" grep -q "$VERSION" <<<"$out"
mkdir -p "$DATA"
round=$(offline "$APP" demo --db "$DATA/selfcheck.db" | tail -1)
check "offline demo into the user data folder (round $round)" test -s "$DATA/selfcheck.db"
for kind in self rectification; do
  pdf=$WORK/$kind.pdf
  t0=$(date +%s.%N)
  offline "$APP" report --db "$DATA/selfcheck.db" --round "$round" --kind $kind --out "$pdf" --date 2025-06-30 \
    >"$WORK/report.log" 2>&1 || { cat "$WORK/report.log" >&2; fail "offline $kind report"; }
  took=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
  check "offline $kind report: no warning (e.g. fontTools instead of HarfBuzz subsetting)" \
    test "$(grep -c -v '^已生成' "$WORK/report.log")" = 0
  check "offline $kind report (${took} s): text holds $HOSPITAL" grep -q "$HOSPITAL" <(pdftotext "$pdf" -)
  check "offline $kind report: bundled CJK font embedded" grep -q -E 'MQSC-(Serif|Sans).* yes +yes' <(pdffonts "$pdf")
done

# the upload package and Excel outputs
offline "$APP" report --db "$DATA/selfcheck.db" --round "$round" --kind self --out "$WORK/self.xlsx" \
  --date 2025-06-30 >/dev/null
check "offline Excel report is a workbook" bash -c 'unzip -l "$1" xl/workbook.xml >/dev/null' _ "$WORK/self.xlsx"
offline "$APP" export --db "$DATA/selfcheck.db" --round "$round" --out "$WORK/upload.zip" --date 2025-06-30 >/dev/null
check "offline export of the upload package, which verify accepts" quiet offline "$APP" verify "$WORK/upload.zip"
# what the rest of the program loads only when asked (the analysis may miss any of it): the
# checklist files and their schema, a package imported on another PC, the commission's summary
# with its charts, a backup and the database check
check "offline: the built-in checklists validate (YAML, JSON Schema)" quiet offline "$APP" checklists validate
# a quality office's own checklist: the bundled template, its id made the office's own, imported
# into the user's data folder and loaded from there (the GUI below starts with it too)
rm -f "$DATA/checklists/ly-zk-2025.yaml"  # $DATA outlives a run: start from none
offline "$APP" checklists template "$WORK/own.yaml" >/dev/null
sed 's/example-2025/ly-zk-2025/g' "$WORK/own.yaml" >"$WORK/own-renamed.yaml"
check "offline: the bundled checklist template imports as the user's own checklist" \
  quiet offline "$APP" checklists import "$WORK/own-renamed.yaml"
check "offline: the imported checklist is listed from the user's data folder" \
  grep -q "ly-zk-2025.*本机导入" <(offline "$APP" checklists list)
offline "$APP" import --db "$WORK/other-pc.db" "$WORK/upload.zip" >/dev/null
check "offline import of the package on another PC: the same scores there" \
  test "$(offline "$APP" score --db "$WORK/other-pc.db" --round "$round")" = \
  "$(offline "$APP" score --db "$DATA/selfcheck.db" --round "$round")"
offline "$APP" aggregate --out "$WORK/summary.xlsx" --pdf "$WORK/summary.pdf" --sqlite "$WORK/summary.db" \
  --date 2025-06-30 --unit 洛阳市卫生健康委员会 "$WORK/upload.zip" >/dev/null
check "offline summary of packages: workbook, database and PDF with the hospital" \
  grep -q "$HOSPITAL" <(pdftotext "$WORK/summary.pdf" -; unzip -p "$WORK/summary.xlsx" xl/sharedStrings.xml)
check "offline summary: the 汇总单位 heads the PDF" grep -q "洛阳市卫生健康委员会" <(pdftotext "$WORK/summary.pdf" -)
check "offline backup of the user's database, checked" quiet offline "$APP" backup --db "$DATA/selfcheck.db"
check "offline database check" quiet offline "$APP" check --db "$DATA/selfcheck.db"

# -- the GUI under Xvfb, offline, to a visible window -----------------------------------------------
n=99
while [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
export DISPLAY=:$n
# gui_shot FILE: wait for the window, save the screen to FILE, close the program
gui_shot() {
  local shown=""
  for _ in $(seq 60); do
    if xwininfo -root -tree 2>/dev/null | grep -q "医疗质量自查助手"; then shown=yes; break; fi
    kill -0 "$APPPID" 2>/dev/null || break
    sleep 0.5
  done
  [ -n "$shown" ] || { cat "$WORK/gui.log" >&2; fail "GUI window did not show"; }
  sleep 2  # let it paint
  QT_QPA_PLATFORM=xcb "$SHOT_PY" - "$1" <<'EOF'
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
assert len(colours) > 20, f"the screen is nearly blank ({len(colours)} colours)"
image.save(sys.argv[1])
EOF
  kill "$APPPID"; wait "$APPPID" 2>/dev/null || true; APPPID=""
}
mkdir -p dist
QT_QPA_PLATFORM=xcb "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
APPPID=$!
gui_shot "$SHOT"
ok "offline GUI on the user's database: window shown, screenshot $SHOT"
# a first start (no database yet): the profile wizard, whose 下一步/取消 buttons are Qt's own,
# translated by the bundled qtbase_zh_CN.qm
WIZARD=${SHOT%-first-window.png}-first-run-wizard.png
HOME=$WORK/new-user QT_QPA_PLATFORM=xcb "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
APPPID=$!
gui_shot "$WIZARD"
ok "offline GUI, first start: profile wizard shown, screenshot $WIZARD"
# a Wayland session of 麒麟 or 统信UOS asks Qt for its wayland plugin, which the bundle does not
# carry: Qt would stop the program before its window; it opens on XWayland's X display instead
QT_QPA_PLATFORM=wayland "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
APPPID=$!
gui_shot "$WORK/wayland.png"
ok "offline GUI where the desktop asks for Wayland: window shown on X"

# Chinese on fcitx desktops, as 统信UOS and 麒麟 set them up (QT_IM_MODULE=fcitx and the rest).
# Each runs on a session bus of its own that listens on a path, which the program in its own
# network namespace (unshare -n) can reach, unlike an abstract socket.
# ime_bus DIR: a session bus at DIR/bus ($BUS, $BUSPID)
ime_bus() {
  BUS="unix:path=$1/bus"
  dbus-daemon --session --nofork --address="$BUS" >/dev/null 2>&1 &
  BUSPID=$!
  for _ in $(seq 50); do [ -S "$1/bus" ] && break; sleep 0.1; done
}
# ime_served NAME: until NAME is owned on $BUS (the input method is up)
ime_served() {
  for _ in $(seq 100); do
    DBUS_SESSION_BUS_ADDRESS=$BUS dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q "boolean true" && return 0
    sleep 0.2
  done
  fail "the input method did not take $1 on the session bus"
}
# ime_window: the program on that desktop, its window shown and given the keyboard
ime_window() {
  DBUS_SESSION_BUS_ADDRESS=$BUS QT_IM_MODULE=fcitx XMODIFIERS=@im=fcitx GTK_IM_MODULE=fcitx QT_QPA_PLATFORM=xcb \
    "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
  APPPID=$!
  for _ in $(seq 60); do xwininfo -root -tree 2>/dev/null | grep -q "医疗质量自查助手" && break; sleep 0.5; done
  sleep 2
  xdotool search --onlyvisible --name "医疗质量自查助手" windowfocus --sync
  sleep 0.5
}
# ime_done WHAT: the program still ran; close it, the input method and its bus
ime_done() {
  sleep 1.5
  kill -0 "$APPPID" 2>/dev/null || { cat "$WORK/gui.log" >&2; fail "GUI on $1 ended early"; }
  kill "$APPPID"; wait "$APPPID" 2>/dev/null || true; APPPID=""
  kill "$FCITXPID" "$BUSPID"; FCITXPID=""; BUSPID=""
}

# fcitx5: its 快速输入 types 输入法试写甲乙丙 for "qx" (the same preedit-then-commit path as
# pinyin), through Qt's ibus plugin and fcitx5's ibus portal
IME=$WORK/ime
mkdir -p "$IME/.config/fcitx5" "$IME/.local/share/fcitx5/data"
printf '[Groups/0]\nName=Default\nDefault Layout=us\nDefaultIM=keyboard-us\n\n[Groups/0/Items/0]\nName=keyboard-us\nLayout=\n\n[GroupOrder]\n0=Default\n' \
  >"$IME/.config/fcitx5/profile"
printf 'qx 输入法试写甲乙丙\n' >"$IME/.local/share/fcitx5/data/QuickPhrase.mb"
ime_bus "$IME"
HOME=$IME DBUS_SESSION_BUS_ADDRESS=$BUS fcitx5 --disable=wayland,waylandim,notificationitem,kimpanel >/dev/null 2>&1 &
FCITXPID=$!
ime_served org.freedesktop.portal.IBus
ime_window
# the rounds list: 打开(O) the demo round, 问题描述(F) of its current item, type, Tab away (saves)
xdotool key alt+o && sleep 2 && xdotool key alt+f && sleep 0.5
xdotool key super+grave && xdotool type --delay 60 qx && xdotool key space && sleep 0.5 && xdotool key Tab
ime_done "an fcitx5 desktop"
offline "$APP" report --db "$DATA/selfcheck.db" --round "$round" --kind self --out "$WORK/ime.pdf" --date 2025-06-30 \
  >/dev/null
check "offline GUI on an fcitx desktop: Chinese typed through fcitx5 saved (in the report)" \
  grep -q "输入法试写甲乙丙" <(pdftotext "$WORK/ime.pdf" -)

# fcitx 4 (统信UOS 20, 搜狗 on some 麒麟), whose client the program is itself (app/ui/fcitx4.py,
# jeepney): unpacked by ./test.sh's set-up (its packages conflict with fcitx5's), its pinyin
# switched on with Ctrl+Space, 'yiyuan' and a space choose 医院, after what fcitx5 typed
F4=$ROOT/.venv/fcitx4/usr
[ -x "$F4/bin/fcitx" ] || fail "no fcitx 4 in $F4: run ./test.sh first (its set-up unpacks it)"
IME4=$WORK/ime4
mkdir -p "$IME4/.config/fcitx"
printf '[Profile]\nIMName=pinyin\nEnabledIMList=fcitx-keyboard-us:True,pinyin:True\n' >"$IME4/.config/fcitx/profile"
ime_bus "$IME4"
HOME=$IME4 DBUS_SESSION_BUS_ADDRESS=$BUS FCITXDIR=$F4 LD_LIBRARY_PATH=$(dirname "$(ls "$F4"/lib/*/libfcitx-core.so.0)") \
  "$F4/bin/fcitx" -D >/dev/null 2>&1 &
FCITXPID=$!
ime_served "org.fcitx.Fcitx-$n"
ime_window
xdotool key alt+f && sleep 0.5 && xdotool key ctrl+End ctrl+space && xdotool type --delay 80 yiyuan
sleep 0.5 && xdotool key space && sleep 0.5 && xdotool key Tab
ime_done "an fcitx 4 desktop"
finding=$("$SHOT_PY" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select finding from answers where finding like ?", ("%甲乙丙%",)).fetchone()[0])' \
  "$DATA/selfcheck.db")
check "offline GUI on an fcitx 4 desktop: pinyin typed through fcitx 4 saved ($finding)" \
  test "$finding" = "输入法试写甲乙丙医院"

# 生成自查报告 from the GUI (Ctrl+P, 保存 in Qt's file dialog) opens 报告预览, whose pages PDFium
# (pypdfium2, loaded by ctypes where the analysis cannot see it) draws: the only way to print on a
# desktop with no PDF viewer, as a fresh 统信UOS may be
PREVIEW=${SHOT%-first-window.png}-report-preview.png
QT_QPA_PLATFORM=xcb "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
APPPID=$!
# wait_window TITLE SECONDS: until a window whose title holds TITLE shows
wait_window() {
  for _ in $(seq $(($2 * 2))); do
    xwininfo -root -tree 2>/dev/null | grep -q "$1" && return 0
    kill -0 "$APPPID" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
wait_window "医疗质量自查助手" 30 || { cat "$WORK/gui.log" >&2; fail "GUI window did not show"; }
sleep 2
xdotool search --onlyvisible --name "医疗质量自查助手" windowfocus --sync
sleep 0.5
xdotool key ctrl+p
wait_window "保存自查报告" 10 || { cat "$WORK/gui.log" >&2; fail "Ctrl+P: no 保存自查报告 dialog"; }
sleep 1 && xdotool key Return
if ! wait_window "报告预览" 60; then
  cat "$WORK/gui.log" "$DATA/error.log" >&2 2>/dev/null || true
  fail "GUI report: 报告预览 did not show"
fi
sleep 3  # the first pages drawn
QT_QPA_PLATFORM=xcb "$SHOT_PY" - "$PREVIEW" <<'EOF'
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
image.save(sys.argv[1])
EOF
kill "$APPPID"; wait "$APPPID" 2>/dev/null || true; APPPID=""
check "offline GUI report: 报告预览 shown, pages drawn by the bundled PDFium, screenshot $PREVIEW" \
  test -s "$HOME/示例县人民医院_2025年第一季度医疗质量自查_自查报告.pdf"

# the 概览 tab (Ctrl+Tab twice from the walkthrough): its charts are SVG drawn by QtSvg, which
# app/ui/qt.py imports by name when the tab is first shown; its bars are #b07d1a where a score is
# middling (app/render/charts.py), a colour no other screen has
OVERVIEW=${SHOT%-first-window.png}-overview.png
QT_QPA_PLATFORM=xcb "${OFFLINE[@]}" "$APP" >"$WORK/gui.log" 2>&1 &
APPPID=$!
wait_window "医疗质量自查助手" 30 || { cat "$WORK/gui.log" >&2; fail "GUI window did not show"; }
sleep 2
xdotool search --onlyvisible --name "医疗质量自查助手" windowfocus --sync
sleep 0.5
xdotool key ctrl+Tab && sleep 0.5 && xdotool key ctrl+Tab && sleep 3
QT_QPA_PLATFORM=xcb "$SHOT_PY" - "$OVERVIEW" <<'EOF'
import sys
from PySide6.QtGui import QColor, QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
image.save(sys.argv[1])
bar = QColor("#b07d1a").rgb()  # COLOURS["warn"]
bars = sum(image.pixel(x, y) == bar for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))
assert bars > 1000, f"no 概览 bars on the screen ({bars} pixels of their colour)"
EOF
kill "$APPPID"; wait "$APPPID" 2>/dev/null || true; APPPID=""
ok "offline GUI 概览: charts drawn by the bundled QtSvg, screenshot $OVERVIEW"
check "GUI wrote no error log" test ! -s "$DATA/error.log"

# -- install, check, remove -------------------------------------------------------------------------
dpkg -i "$DEB" >/dev/null
check "dpkg -i: installed" dpkg-query -W "$APPID"
check "desktop entry visible in /usr/share/applications" \
  grep -q "^Exec=/opt/apps/$APPID/files/mqsc" "/usr/share/applications/$APPID.desktop"
check "icon visible in hicolor" test -s "/usr/share/icons/hicolor/48x48/apps/$APPID.png"
check "desktop entry valid (desktop-file-validate)" desktop-file-validate "/usr/share/applications/$APPID.desktop"
out=$(offline "/opt/apps/$APPID/files/mqsc" score --db "$DATA/selfcheck.db" --round "$round")
check "installed program reads the user's database offline" test -n "$out"
dpkg -r "$APPID" >/dev/null
check "dpkg -r: removed" test ! -e "/opt/apps/$APPID"
check "dpkg -r: user's database kept" test -s "$DATA/selfcheck.db"

echo "smoke test took $(($(date +%s) - start)) s"
echo "$passed passed, 0 failed"
