#!/usr/bin/env bash
# Build the .deb of 医疗质量自查助手 for 统信UOS / 麒麟 / Debian (amd64) from this checkout:
#
#   bash installer/linux/build.sh          →  dist/<appid>_<version>_amd64.deb
#
# A PyInstaller one-folder bundle (its own Python, Qt from PySide6-Essentials 6.9, WeasyPrint with
# its Pango/HarfBuzz/Fontconfig, the checklists, the report templates, the Noto CJK SC fonts and
# Qt's zh_CN translations) laid out as the 统信UOS store wants it:
#
#   /opt/apps/<appid>/files/            the bundle (files/mqsc is the program)
#   /opt/apps/<appid>/entries/applications/<appid>.desktop
#   /opt/apps/<appid>/entries/icons/hicolor/<size>/apps/<appid>.png|svg
#   /opt/apps/<appid>/info              the store's JSON description
#
# plus links in /usr/share/applications and /usr/share/icons/hicolor so that 麒麟 and Debian
# desktops, which do not read /opt/apps, show it too (MQSC_UOS_STORE_ONLY=1 leaves them out).
# No maintainer scripts: installing changes nothing outside the package's own files, and the
# user's data (~/.local/share/MedQualitySelfCheck) is never touched by upgrade or removal.
#
# Environment: PYTHON (the interpreter to bundle, ≥3.11; default python3), MQSC_BUILD_DIR
# (default build/linux, git-ignored), MQSC_UOS_STORE_ONLY. Takes ≈1–2 min here once the build
# environment exists (≈2 more the first time). Needs root or the tools below installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=installer/linux

APPID=cn.medquality.selfcheck
NAME="医疗质量自查助手"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
ARCH=amd64
BUILD=${MQSC_BUILD_DIR:-build/linux}
mkdir -p "$BUILD" dist
BUILD=$(cd "$BUILD" && pwd)
PY=${PYTHON:-python3}

log() { printf '\n== %s\n' "$*"; }

# -- tools and the libraries the bundle copies in ---------------------------------------------------
TOOLS=(fonts-noto-cjk librsvg2-bin binutils dpkg libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b
       libfontconfig1 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
       libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxkbcommon-x11-0
       libx11-xcb1 libegl1 libgl1 libdbus-1-3)
# HarfBuzz's subsetter (fast PDF font subsets) is a package of its own from Debian 12 on; older
# releases have none, and WeasyPrint then subsets with fontTools (slower reports).
if apt-cache show libharfbuzz-subset0 >/dev/null 2>&1; then TOOLS+=(libharfbuzz-subset0); fi
missing=()
for p in "${TOOLS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "请先安装：apt-get install ${missing[*]}" >&2; exit 1; fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# -- the build environment: pinned, and made again only when the pins change -----------------------
VENV=$BUILD/venv
key=$( { cat $HERE/requirements.txt; "$PY" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$key" ]; then
  log "build environment ($("$PY" --version))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r $HERE/requirements.txt
  echo "$key" > "$VENV/.stamp"
fi

# -- fonts (the SC faces of Noto Serif/Sans CJK, with their licence) -------------------------------
FONTS=$BUILD/fonts
if [ ! -f "$FONTS/LICENSE-NotoCJK-OFL.txt" ]; then
  log "fonts"
  "$VENV/bin/python" installer/fonts.py "$FONTS"
fi

# -- the bundle -------------------------------------------------------------------------------------
log "PyInstaller"
rm -rf "$BUILD/dist"
MQSC_FONTS_DIR=$FONTS "$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$BUILD/dist" --workpath "$BUILD/work" $HERE/mqsc.spec
BUNDLE=$BUILD/dist/mqsc
find "$BUNDLE" -xtype l -delete   # links to the Qt libraries the spec left out
FLOOR=$(bash $HERE/glibc-floor.sh "$BUNDLE")
[ -n "$FLOOR" ] || { echo "no glibc floor measured (no ELF file read: is objdump there?)" >&2; exit 1; }
echo "glibc floor of the bundle: $FLOOR"
# the chroot build promises 统信UOS 20's glibc (2.28): a library that needs more fails it here
above_max() { [ "$(printf '%s\n' "$1" "$MQSC_GLIBC_MAX" | sort -V | tail -1)" != "$MQSC_GLIBC_MAX" ]; }
if [ -n "${MQSC_GLIBC_MAX:-}" ] && above_max "$FLOOR"; then
  echo "The bundle needs glibc $FLOOR, more than $MQSC_GLIBC_MAX; the files that need more:" >&2
  while IFS=$'\t' read -r version file; do
    if above_max "$version"; then echo "  $version  $file" >&2; fi
  done < <(bash $HERE/glibc-floor.sh "$BUNDLE" --by-file)
  exit 1
fi
# Every library the bundle links to and does not carry must be in Depends (control.in): libc6,
# libgl1, libegl1, libxcb1, libfontconfig1, libfreetype6, libcups2 (Qt's print plugin: printing from the
# report preview), libdbus-1-3 (Qt's D-Bus: the input method). A new one fails the build here
# instead of on a user's PC.
external=$(comm -23 \
  <(find "$BUNDLE" -type f \( -name '*.so*' -o -name mqsc \) -exec objdump -p {} \; 2>/dev/null \
      | awk '/NEEDED/ {print $2}' | sort -u) \
  <(find "$BUNDLE" -name '*.so*' -printf '%f\n' | sort -u))
unexpected=$(grep -v -x -E 'ld-linux-x86-64\.so\.2|lib(c|dl|m|pthread|resolv|rt|util)\.so\.[0-9]+|libGL\.so\.1|libEGL\.so\.1|libxcb\.so\.1|libfontconfig\.so\.1|libfreetype\.so\.6|libcups\.so\.2|libdbus-1\.so\.3' \
  <<<"$external" || true)
if [ -n "$unexpected" ]; then
  echo "The bundle needs libraries it does not carry and Depends does not name: $unexpected" >&2
  exit 1
fi

# -- the package tree -------------------------------------------------------------------------------
log "package"
PKG=$BUILD/pkg
rm -rf "$PKG"
OPT=$PKG/opt/apps/$APPID
mkdir -p "$OPT/entries/applications" "$PKG/DEBIAN"
cp -a "$BUNDLE" "$OPT/files"
cp installer/THIRD-PARTY.txt "$OPT/files/"
printf '%s\n' "$FLOOR" > "$OPT/files/GLIBC-FLOOR"

ICONS=$OPT/entries/icons/hicolor
for s in 16 24 32 48 64 128 256 512; do
  mkdir -p "$ICONS/${s}x${s}/apps"
  rsvg-convert -w $s -h $s installer/icons/mqsc.svg -o "$ICONS/${s}x${s}/apps/$APPID.png"
done
mkdir -p "$ICONS/scalable/apps"
cp installer/icons/mqsc.svg "$ICONS/scalable/apps/$APPID.svg"

sed -e "s|@APPID@|$APPID|g" -e "s|@VERSION@|$VERSION|g" $HERE/app.desktop.in \
  > "$OPT/entries/applications/$APPID.desktop"
sed -e "s|@APPID@|$APPID|g" -e "s|@VERSION@|$VERSION|g" -e "s|@NAME@|$NAME|g" $HERE/info.in > "$OPT/info"

if [ "${MQSC_UOS_STORE_ONLY:-0}" != 1 ]; then
  mkdir -p "$PKG/usr/share/applications"
  ln -s "/opt/apps/$APPID/entries/applications/$APPID.desktop" "$PKG/usr/share/applications/$APPID.desktop"
  for d in "$ICONS"/*/apps; do
    size=$(basename "$(dirname "$d")")
    mkdir -p "$PKG/usr/share/icons/hicolor/$size/apps"
    for f in "$d"/*; do
      ln -s "/opt/apps/$APPID/entries/icons/hicolor/$size/apps/$(basename "$f")" \
        "$PKG/usr/share/icons/hicolor/$size/apps/$(basename "$f")"
    done
  done
fi

# Depends: only what the bundle links to and does not carry (installer/linux/README.md says why).
INSTALLED_KB=$(du -sk --apparent-size "$PKG" | cut -f1)
sed -e "s|@APPID@|$APPID|g" -e "s|@VERSION@|$VERSION|g" -e "s|@ARCH@|$ARCH|g" -e "s|@FLOOR@|$FLOOR|g" \
  -e "s|@SIZE@|$INSTALLED_KB|g" $HERE/control.in > "$PKG/DEBIAN/control"

DEB=dist/${APPID}_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz -z6 --build "$PKG" "$DEB" >/dev/null
log "built $DEB"
echo "size: $(du -h "$DEB" | cut -f1) (.deb), $((INSTALLED_KB / 1024)) MiB installed; glibc ≥ $FLOOR"
