#!/usr/bin/env bash
# The installers' CI step; .ci/run calls it after the test suite.
#
#   bash installer/ci.sh            the checks below
#   bash installer/ci.sh --record   after a passing .deb smoke test here, write the stamp to commit
#
# Always (≈15 s): installer/windows/check.sh (makensis on a stub payload, the pinned Windows
# wheel set; skipped offline).
# Only when the installer's inputs changed since the last verified build: the .deb built in the
# Debian 11 chroot and smoke-tested offline (installer/linux/smoke-test.sh). Inputs are the
# tracked files under installer/, app/, checklists/, reports/, docs/schema/, main.py and pyproject.toml (but
# not *.md); their
# SHA-256 is compared with installer/linux/verified-inputs.sha256, which a developer commits
# after a passing smoke test (--record). Time: ≈4 min with the chroot already on the machine,
# ≈15 min on a fresh one (debootstrap, then SQLite, HarfBuzz and Python built in it), capped at
# 40 min. MQSC_DEB_CI=always|never|auto (default auto) overrides the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
STAMP=installer/linux/verified-inputs.sha256

inputs_hash() {
  git ls-files -z installer app checklists reports docs/schema main.py pyproject.toml \
    | grep -z -v -E '(\.md|/verified-inputs\.sha256)$' | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

if [ "${1:-}" = "--record" ]; then
  inputs_hash > "$STAMP"
  echo "recorded $(cat "$STAMP") in $STAMP: commit it"
  exit 0
fi

start=$(date +%s)
bash installer/windows/check.sh

mode=${MQSC_DEB_CI:-auto}
current=$(inputs_hash)
recorded=$(cat "$STAMP" 2>/dev/null || true)
if [ "$mode" = never ] || { [ "$mode" = auto ] && [ "$current" = "$recorded" ]; }; then
  echo "skip the .deb build and smoke test: its inputs are those of the last verified build ($STAMP)"
elif [ "$(id -u)" -ne 0 ]; then
  echo "skip the .deb build and smoke test: needs root (debootstrap, unshare, dpkg -i)"
else
  echo "the .deb's inputs changed since the last verified build: building and smoke-testing it"
  MQSC_BUILDER="installer/linux/build-in-chroot.sh" timeout 40m bash installer/linux/smoke-test.sh
fi
echo "installer CI step took $(($(date +%s) - start)) s"
