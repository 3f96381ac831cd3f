#!/usr/bin/env bash
# Rebuild mqsc.ico (the Windows icon, committed because Windows has no SVG rasteriser at hand)
# from mqsc.svg. Needs rsvg-convert (Debian: librsvg2-bin) and Pillow (in build/linux/venv).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32 48 64 128 256; do rsvg-convert -w $s -h $s mqsc.svg -o "$tmp/$s.png"; done
PY=${PYTHON:-../../build/linux/venv/bin/python}
"$PY" - "$tmp" <<'PYEOF'
import sys
from PIL import Image
tmp = sys.argv[1]
sizes = [16, 24, 32, 48, 64, 128, 256]
images = [Image.open(f"{tmp}/{s}.png").convert("RGBA") for s in sizes]
images[-1].save("mqsc.ico", sizes=[(s, s) for s in sizes], append_images=images[:-1])
PYEOF
echo "mqsc.ico"
