"""Reading and forging upload packages in tests (a careful forger keeps the manifest in step)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from app.exchange import format as fmt


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(path: Path, members: dict[str, bytes], out: Path | None = None) -> Path:
    out = out or path
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():  # as the program writes them: JSON deflated, the rest stored
            how = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
            zf.writestr(name, data, compress_type=how)
    return out


def relisted(members: dict[str, bytes]) -> dict[str, bytes]:
    """The members with the manifest's file list made to match them again (a careful forger)."""
    manifest = json.loads(members[fmt.MANIFEST])
    manifest["files"] = [
        {"path": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
        for n, d in members.items()
        if n != fmt.MANIFEST
    ]
    return {**members, fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()}
