#!/usr/bin/env bash
# Set up everything the app and its tests need on Debian/Ubuntu/统信UOS/麒麟:
# system packages (CJK fonts, Pango, HarfBuzz subsetting, Qt's runtime libraries),
# a virtual environment in .venv, and the project with its test dependencies.
# Safe to run again: it only installs what is missing.
#
#   bash scripts/setup.sh              set up now (uses the network for what is missing)
#   bash scripts/setup.sh --if-needed  do nothing, at once and offline, when the last set-up
#                                      finished for this very pyproject.toml and setup.sh
#   bash scripts/setup.sh --check      exit 0 when set up, 1 (saying why) when a set-up is due
#
# With MQSC_SETUP_TESTS=1 (test.sh) also what only the tests need: a real X server and an fcitx
# input method to type Chinese through (tests/test_input_method.py).
#
# The stamp .venv/.setup-stamp holds the SHA-256 of pyproject.toml and this script; it is
# written only when every step below succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."

STAMP=.venv/.setup-stamp
APT_PACKAGES=(
  python3 python3-venv
  fonts-noto-cjk                      # 中文字体：界面与 PDF 报告
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint；HarfBuzz 快速字体子集化
  poppler-utils                       # pdftotext/pdftoppm：测试与截图
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0   # Qt 运行库
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libx11-xcb1   # Qt 真实窗口（xcb）
)
APT_TEST_PACKAGES=(
  xvfb dbus-daemon fcitx5 xdotool     # 测试：真实的 X 窗口、会话总线和 fcitx 输入法（tests/test_input_method.py）
)
# 测试：fcitx 4 及其拼音（tests/test_input_method.py）。与 fcitx5 的软件包互相冲突，不安装，只解压到 .venv/fcitx4
FCITX4_PACKAGES=(fcitx-bin fcitx-data fcitx-modules fcitx-module-dbus fcitx-pinyin
  libfcitx-utils0 libfcitx-config4 libfcitx-core0 libgettextpo0)
FCITX4_DIR=.venv/fcitx4
fcitx4_missing() {  # true on Debian when the unpacked fcitx 4 is not there
  command -v apt-get >/dev/null 2>&1 && [ ! -x "$FCITX4_DIR/usr/bin/fcitx" ]
}
stamp_key() { cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1; }
missing_packages() {  # the wanted apt packages not installed (none off Debian: no dpkg-query)
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
setup_due() {  # prints why a set-up is due; fails (returns 1) when none is
  if [ ! -x .venv/bin/python ]; then echo "没有虚拟环境 .venv"; return 0; fi
  if [ -n "${MQSC_SETUP_TESTS:-}" ] && [ -n "$(missing_packages "${APT_TEST_PACKAGES[@]}")" ]; then
    echo "缺少测试用的系统软件包"; return 0
  fi
  if [ -n "${MQSC_SETUP_TESTS:-}" ] && fcitx4_missing; then echo "缺少测试用的 fcitx 4"; return 0; fi
  if [ ! -f "$STAMP" ]; then echo "上次安装未完成（没有 $STAMP）"; return 0; fi
  if [ "$(cat "$STAMP")" != "$(stamp_key)" ]; then echo "pyproject.toml 或 scripts/setup.sh 已更改"; return 0; fi
  return 1
}
case "${1:-}" in
  --check)
    if why=$(setup_due); then echo "需要安装：$why"; exit 1; fi
    exit 0 ;;
  --if-needed)
    if ! why=$(setup_due); then exit 0; fi
    echo "安装依赖（$why）……" ;;
  "") ;;
  *) echo "用法：bash scripts/setup.sh [--if-needed|--check]" >&2; exit 2 ;;
esac

# a step that fails (most often: no network on the first run) ends with what it means, in Chinese,
# after the tool's own words; the stamp is not written, so the next run tries again
explain_failure() {
  echo "安装依赖没有完成（见上面的信息）。第一次运行（以及 pyproject.toml 或 scripts/setup.sh 更改后）需要联网，" >&2
  echo "从系统软件源（apt）和 Python 软件包索引（PyPI 或 pip 配置的镜像）下载。请联网后重新运行；" >&2
  echo "没有网络的电脑请使用安装包（见 README 开头）。" >&2
}
trap explain_failure ERR

wanted=("${APT_PACKAGES[@]}")
if [ -n "${MQSC_SETUP_TESTS:-}" ]; then wanted+=("${APT_TEST_PACKAGES[@]}"); fi
mapfile -t missing < <(missing_packages "${wanted[@]}")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "缺少系统软件包，请以 root 身份安装后重试：" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "安装系统软件包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 或更新版本（当前：$("$PY" --version 2>&1)）。可用 PYTHON=python3.12 指定。" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
rm -f "$STAMP"
if [ -n "${MQSC_SETUP_TESTS:-}" ] && fcitx4_missing; then
  echo "解压测试用的 fcitx 4：${FCITX4_PACKAGES[*]}"
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -q "${FCITX4_PACKAGES[@]}" 2>&1 | grep -v -i unsandboxed || true)
  if [ "$(find "$debs" -name '*.deb' | wc -l)" -ne "${#FCITX4_PACKAGES[@]}" ]; then
    rm -rf "$debs"
    echo "无法下载 fcitx 4 的软件包（${FCITX4_PACKAGES[*]}）：请检查软件源后重试" >&2
    exit 1
  fi
  rm -rf "$FCITX4_DIR"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$FCITX4_DIR"; done
  rm -rf "$debs"
  # FCITXDIR=$FCITX4_DIR/usr makes fcitx look for its addons in usr/lib/fcitx
  addons=$(cd "$FCITX4_DIR/usr/lib" && ls -d ./*/fcitx | head -1)
  ln -sfn "$addons" "$FCITX4_DIR/usr/lib/fcitx"
  [ -x "$FCITX4_DIR/usr/bin/fcitx" ] || { echo "无法取得 fcitx 4 的软件包" >&2; exit 1; }
fi
# two retries, not pip's five with back-off: without a network they took 43 s to say so
.venv/bin/python -m pip install -q --retries 2 --timeout 15 --upgrade pip
.venv/bin/python -m pip install -q --retries 2 --timeout 15 -e ".[test]"
stamp_key > "$STAMP"
echo "环境已就绪：.venv"
