#!/usr/bin/env bash
# Build the .deb inside a Debian 11 (bullseye, glibc 2.31) chroot, for a lower glibc floor:
#
#   bash installer/linux/build-in-chroot.sh      →  dist/<appid>_<version>_amd64.deb (glibc ≥ 2.28)
#
# Built on this project's Debian 12 machines the bundle needs glibc 2.36 (every library in it,
# Python first, is linked against Debian 12's glibc); built here it needs 2.28, which 统信UOS 20
# (Debian 10 based) and 麒麟 V10 (2.31) have: bullseye's own libraries need at most 2.28, and the
# Python and SQLite built here are kept to it (installer/linux/glibc-2.28.h). build.sh fails if
# the bundle would need more (MQSC_GLIBC_MAX). What it does, each step skipped when done:
#
# 1. debootstrap bullseye into $MQSC_CHROOT (default /var/tmp/mqsc-bullseye, outside the checkout)
#    with a compiler and the libraries the bundle copies in (≈2 min);
# 2. build HarfBuzz 6 (bullseye's 2.7 has no subsetter WeasyPrint uses: reports would take ≈25 s
#    instead of ≈3 s), SQLite 3.40 (bullseye has 3.34; sqlite-utils' upsert silently does nothing on SQLite
#    < 3.35 for tables with NOT NULL columns, so the hospital profile would never be saved) and
#    Python 3.11 (bullseye has 3.9; the project needs ≥ 3.11), both from the upstream sources in
#    Debian 12's source packages (apt-get source; Debian's own patches are not applied), linked
#    to glibc 2.28's symbol versions (≈8 min; made again when an earlier build needs more);
# 3. run installer/linux/build.sh inside it with that Python, the checkout bind-mounted.
#
# Needs root, debootstrap, and the Debian mirror of /etc/apt/sources.list* (MQSC_MIRROR). Local CA certificates (/usr/local/share/ca-certificates) are copied in so that pip works
# behind a proxy that re-signs TLS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SUITE=${MQSC_SUITE:-bullseye}
CHROOT=${MQSC_CHROOT:-/var/tmp/mqsc-$SUITE}
# The Debian mirror apt uses here (deb822 "URIs:" or one-line "deb" entries; not security/updates)
apt_mirror() {
  {
    grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -h -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; break}}'
  } | grep -E '/debian/?$' | head -1 || true
}
MIRROR=${MQSC_MIRROR:-$(apt_mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PY=/opt/py311/bin/python3.11

log() { printf '\n== %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }

PACKAGES=build-essential,ca-certificates,tcl,libssl-dev,zlib1g-dev,libbz2-dev,libffi-dev,liblzma-dev
PACKAGES+=,libreadline-dev,libncurses-dev,uuid-dev,libgdbm-dev,libexpat1-dev,xz-utils,dpkg-dev,binutils
PACKAGES+=,fonts-noto-cjk,librsvg2-bin,libpango-1.0-0,libpangoft2-1.0-0,libharfbuzz0b,libfontconfig1
PACKAGES+=,libglib2.0-0,libgl1,libegl1,libxkbcommon0,libxkbcommon-x11-0,libdbus-1-3,libxcb-cursor0
PACKAGES+=,libxcb-icccm4,libxcb-keysyms1,libxcb-image0,libxcb-render-util0,libxcb-shape0,libxcb-randr0
PACKAGES+=,libxcb-xfixes0,libx11-xcb1,meson,ninja-build,pkg-config,libfreetype-dev,libglib2.0-dev

if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
  log "debootstrap $SUITE → $CHROOT ($MIRROR)"
  rm -rf "$CHROOT"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$CHROOT" "$MIRROR" >"$CHROOT.log" 2>&1 \
    || { tail -20 "$CHROOT.log" >&2; echo "debootstrap failed (log: $CHROOT.log)" >&2; exit 1; }
fi

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true; done
}
trap cleanup EXIT
bind() { mkdir -p "$2"; mountpoint -q "$2" || { mount --bind "$1" "$2"; mounted+=("$2"); }; }
bind /proc "$CHROOT/proc"
bind /dev "$CHROOT/dev"
# the checkout: always this one (an earlier run's mount of another checkout is replaced)
mountpoint -q "$CHROOT/src/mqsc" && umount "$CHROOT/src/mqsc"
bind "$ROOT" "$CHROOT/src/mqsc"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$CHROOT/usr/local/share/ca-certificates/"
  chroot "$CHROOT" update-ca-certificates >/dev/null 2>&1
fi
# A clean environment, but pip trusts the chroot's CA bundle (with the local CAs) rather than its own.
in_chroot() {
  chroot "$CHROOT" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt bash -c "$1"
}

GLIBC_MAX=2.28
COMPAT=/src/mqsc/installer/linux/glibc-2.28.h
# within_floor PATH: no ELF file under PATH needs a glibc newer than GLIBC_MAX
within_floor() { in_chroot "f=\$(bash /src/mqsc/installer/linux/glibc-floor.sh $1); [ -n \"\$f\" ] && [ \"\$(printf '%s\n' \$f $GLIBC_MAX | sort -V | tail -1)\" = $GLIBC_MAX ]"; }
if ! in_chroot "test \"\$($PY -c 'import sqlite3; print(sqlite3.sqlite_version_info >= (3, 35))' 2>/dev/null)\" = True" \
  || ! within_floor /opt/py311 || ! within_floor '/usr/local/lib/libsqlite3.so.0.*'; then
  log "SQLite 3.40 and Python 3.11 from Debian 12's source packages (≈8 min on 2 cores)"
  echo "deb-src $MIRROR bookworm main" > "$CHROOT/etc/apt/sources.list.d/bookworm-src.list"
  in_chroot "
    set -e
    apt-get update -qq
    mkdir -p /src/build && cd /src/build
    apt-get source --download-only -qq sqlite3 python3.11 2>&1 | grep -v unsandboxed || true
    rm -rf sqlite-src && mkdir sqlite-src && tar xJf sqlite3_*.orig.tar.xz -C sqlite-src --strip-components=1
    cd sqlite-src
    CFLAGS='-O2 -include $COMPAT -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 \
      -DSQLITE_ENABLE_JSON1 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_COLUMN_METADATA \
      -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_MAX_VARIABLE_NUMBER=250000' \
      ./configure -q --prefix=/usr/local --enable-shared --disable-static --disable-tcl >/dev/null
    make -j\$(nproc) -s libsqlite3.la >/dev/null 2>&1
    lib=\$(cd .libs && ls libsqlite3.so.0.*.* | head -1)
    install -m755 .libs/\$lib /usr/local/lib/ && ln -sf \$lib /usr/local/lib/libsqlite3.so.0
    ln -sf \$lib /usr/local/lib/libsqlite3.so  # for Python's configure (-lsqlite3)
    install -m644 sqlite3.h sqlite3ext.h /usr/local/include/
    /sbin/ldconfig
    cd /src/build
    rm -rf python-src && mkdir python-src && tar xzf python3.11_*.orig.tar.gz -C python-src --strip-components=1
    cd python-src
    rm -rf /opt/py311
    ./configure -q --prefix=/opt/py311 --enable-shared LDFLAGS=-Wl,-rpath=/opt/py311/lib \
      CFLAGS='-include $COMPAT' ac_cv_func_sem_clockwait=no >/dev/null
    make -j\$(nproc) -s >/dev/null 2>&1
    make -s install >/dev/null 2>&1
  "
  in_chroot "$PY -c 'import sqlite3, ssl, ctypes, lzma; print(\"Python\", __import__(\"sys\").version.split()[0], \"SQLite\", sqlite3.sqlite_version)'"
fi

if ! in_chroot "test -e /usr/local/lib/libharfbuzz-subset.so.0"; then
  log "HarfBuzz 6 from Debian 12's source package, for its subsetter (≈3 min)"
  echo "deb-src $MIRROR bookworm main" > "$CHROOT/etc/apt/sources.list.d/bookworm-src.list"
  in_chroot "
    set -e
    apt-get update -qq
    mkdir -p /src/build && cd /src/build
    apt-get source --download-only -qq harfbuzz 2>&1 | grep -v unsandboxed || true
    rm -rf hb-src && mkdir hb-src && tar xJf harfbuzz_*.orig.tar.xz -C hb-src --strip-components=1
    cd hb-src
    meson setup build --prefix=/usr/local --libdir=lib --buildtype=release -Dtests=disabled -Ddocs=disabled \
      -Dcairo=disabled -Dgraphite2=disabled -Dintrospection=disabled -Dchafa=disabled -Dicu=disabled \
      -Dglib=enabled -Dfreetype=enabled -Dgobject=disabled -Dutilities=disabled >/dev/null
    ninja -C build >/dev/null
    ninja -C build install >/dev/null
    /sbin/ldconfig
  "
fi

log "installer/linux/build.sh in $SUITE"
in_chroot "cd /src/mqsc && PYTHON=$PY MQSC_BUILD_DIR=/root/mqsc-build MQSC_GLIBC_MAX=$GLIBC_MAX bash installer/linux/build.sh"
