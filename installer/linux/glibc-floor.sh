#!/usr/bin/env bash
# The glibc floor of a bundle: the highest GLIBC_x.y symbol version any ELF file in it needs.
#   installer/linux/glibc-floor.sh DIR            → prints e.g. "2.34"
#   installer/linux/glibc-floor.sh DIR --by-file  → the floor of each file, highest first
set -euo pipefail
dir=$1
per_file() {
  find "$dir" -type f \( -name '*.so*' -o -perm -u+x \) -print0 | while IFS= read -r -d '' f; do
    v=$( (objdump -T "$f" 2>/dev/null || true) | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1 || true)
    [ -n "$v" ] && printf '%s\t%s\n' "$v" "${f#"$dir"/}"
  done | sort -V -r
}
# awk reads to the end: `head -1` would close the pipe early, and under pipefail the SIGPIPE that
# sort then gets (exit 141) failed the build whenever the list was long enough
if [ "${2:-}" = "--by-file" ]; then per_file; else per_file | awk -F'\t' 'NR == 1 {print $1}'; fi
