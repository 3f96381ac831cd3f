#!/usr/bin/env bash
# 安装依赖并运行全部测试。Set up, then run the whole test suite (Qt offscreen).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy app  # types, with PySide6's through app/ui/qt.py (cached in .mypy_cache)
exec .venv/bin/python -m pytest "$@"
