#!/usr/bin/env bash
# 启动程序（使用内置检查表和本机数据库）；首次运行或 pyproject.toml 更改后先安装依赖。
# Launch the app; set up first only when .venv is missing or pyproject.toml changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# set up in the project folder, but run where the user is: "--db 甲县.db" or "--out 报告.pdf" name
# files of the current folder, not of the project's
(cd "$here" && bash scripts/setup.sh --if-needed)  # offline and at once when nothing changed
exec "$here/.venv/bin/python" "$here/main.py" "$@"
