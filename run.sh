#!/usr/bin/env bash
# 启动程序（使用内置检查表和本机数据库）；首次运行或 pyproject.toml 更改后先安装依赖。
# Launch the app; set up first only when .venv is missing or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --if-needed  # offline and at once when nothing changed
exec .venv/bin/python main.py "$@"
