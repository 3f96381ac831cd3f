#!/usr/bin/env bash
# 安装依赖并启动程序（使用内置检查表和本机数据库）。Set up, then launch the app.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python main.py "$@"
