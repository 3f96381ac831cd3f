#!/usr/bin/env bash
# What can be checked of the Windows installer on Linux (CI runs this; ≈15 s):
#
# 1. installer.nsi compiles with makensis (Debian package nsis), warnings as errors, against a
#    stub payload, into 医疗质量自查助手-<version>-安装程序.exe, and 7z lists the payload in it;
# 2. mqsc.spec is valid Python;
# 3. the pinned Windows wheel set resolves: pip download --only-binary=:all: --platform win_amd64
#    --python-version 3.12 -r requirements.txt into a temporary folder, and every package pip
#    wants is pinned there (an unpinned new dependency fails). Skipped, saying so, when no
#    package index answers (an offline machine).
#
# What only Windows can show (the bundle running, DLLs found, fonts, shortcuts, uninstaller) is
# listed in installer/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

passed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; echo "$passed passed, 1 failed"; exit 1; }

need=()
command -v makensis >/dev/null || need+=(nsis)
command -v 7z >/dev/null || need+=(p7zip-full)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. NSIS
mkdir -p "$WORK/payload/_internal" "$WORK/out"
for f in MedQualitySelfCheck.exe mqsc.exe _internal/base_library.zip; do echo stub > "$WORK/payload/$f"; done
(cd installer/windows && makensis -INPUTCHARSET UTF8 -WX -V2 -DVERSION="$VERSION" -DPAYLOAD="$WORK/payload" \
  -DOUTDIR="$WORK/out" installer.nsi) >"$WORK/nsis.log" 2>&1 || { cat "$WORK/nsis.log" >&2; fail "makensis"; }
EXE="$WORK/out/医疗质量自查助手-$VERSION-安装程序.exe"
[ -f "$EXE" ] || fail "makensis made no $(basename "$EXE")"
ok "makensis compiled installer.nsi → $(basename "$EXE") ($(du -k "$EXE" | cut -f1) KiB with a stub payload)"
listing=$(7z l "$EXE")
for f in MedQualitySelfCheck.exe mqsc.exe _internal/base_library.zip uninstall.exe; do
  grep -q " $f\$" <<<"$listing" || fail "installer does not carry $f"
done
ok "installer carries the payload and an uninstaller"

# 2. the spec
"$PY" -c "import sys; compile(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1], 'exec')" \
  installer/windows/mqsc.spec || fail "mqsc.spec"
ok "mqsc.spec compiles"

# 3. the wheels
if ! "$PY" -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.12 --implementation cp \
  --abi cp312 --timeout 20 -d "$WORK/wheels" -r installer/windows/requirements.txt >"$WORK/pip.log" 2>&1; then
  if grep -q -E "NewConnectionError|Name or service not known|Temporary failure in name resolution|Network is unreachable|ProxyError|ConnectTimeout" "$WORK/pip.log"; then
    echo "skip the Windows wheel set: no package index answered (offline)"
    echo "$passed passed, 0 failed"
    exit 0
  fi
  grep -v "is ignored" "$WORK/pip.log" >&2
  fail "pip download of the Windows wheel set"
fi
"$PY" - "$WORK/wheels" installer/windows/requirements.txt <<'PYEOF' || fail "Windows wheel set"
import re, sys
from pathlib import Path
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
pins = {}
for line in Path(sys.argv[2]).read_text(encoding="utf-8").splitlines():
    line = line.split("#")[0].strip()
    if line:
        name, _, version = line.partition("==")
        pins[norm(name)] = version
got = {}
for wheel in Path(sys.argv[1]).glob("*.whl"):
    name, version = wheel.name.split("-")[:2]
    got[norm(name)] = version
missing = sorted(set(pins) - set(got))
unpinned = sorted(set(got) - set(pins))
wrong = sorted(n for n in set(pins) & set(got) if pins[n] != got[n])
if missing or unpinned or wrong:
    sys.exit(f"no wheel for {missing}; not pinned: {unpinned}; other version: {wrong}")
print(f"{len(got)} wheels for win_amd64 / CPython 3.12, all pinned")
PYEOF
ok "pinned Windows wheel set downloads from the package index"
echo "$passed passed, 0 failed"
