"""Where the program keeps its data: the platform's user data folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "MedQualitySelfCheck"
#: Overrides the data folder (tests, portable installs on a USB stick).
DATA_DIR_ENV = "MQSC_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "selfcheck.db"


def user_checklists_dir() -> Path:
    """检查表 imported on this PC (a 质控中心's own, say): beside the data, so that they stay when the
    program is upgraded or reinstalled, unlike files put among the built-in ones."""
    return data_dir() / "checklists"


def device_id() -> str:
    """A random id for this PC, made once and kept in the data folder."""
    path = data_dir() / "device-id"
    try:
        existing = path.read_text(encoding="ascii").strip()
        if existing:
            return existing
    except (OSError, UnicodeDecodeError):
        pass
    import uuid  # only on the first run: not worth its import time on every start

    new = str(uuid.uuid4())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="ascii")
    except OSError:
        pass  # a read-only profile still works; the id is just not kept
    return new


def current_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
