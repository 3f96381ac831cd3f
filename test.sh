#!/usr/bin/env bash
# 运行全部测试；首次运行或 pyproject.toml 更改后先安装依赖。
# Run the whole test suite (Qt offscreen); set up first only when something is missing or changed.
set -euo pipefail
cd "$(dirname "$0")"
MQSC_SETUP_TESTS=1 bash scripts/setup.sh --if-needed  # offline and at once when nothing changed; with the tests' own packages
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .  # one layout for all (ruff format .)
.venv/bin/python -m mypy app  # types, with PySide6's through app/ui/qt.py (cached in .mypy_cache)
exec .venv/bin/python -m pytest "$@"
