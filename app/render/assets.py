"""Where a report's resources live: the template folder, and the URLs of the round's attachments.

Kept free of WeasyPrint so that the report model can name attachments without importing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["ATTACHMENT_SCHEME", "TEMPLATE_DIR", "attachment_url"]


def _template_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    return (Path(frozen) if frozen else Path(__file__).resolve().parents[2]) / "reports"


#: Jinja templates, CSS and any image the templates use (``reports/``).
TEMPLATE_DIR = _template_dir()

#: Attachments are addressed as ``attachment:<id>`` and served from memory, never from a path.
ATTACHMENT_SCHEME = "attachment"


def attachment_url(attachment_id: str) -> str:
    return f"{ATTACHMENT_SCHEME}:{attachment_id}"
