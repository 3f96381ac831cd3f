"""佐证材料: files attached to an item (or a rectification), copied into the database."""

from __future__ import annotations

from pathlib import Path

from ..domain.records import Attachment
from ..errors import InputError, os_reason
from ..store import Actor, Store

#: Larger files belong in the hospital's document system, not in the self-inspection database.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

ALLOWED_SUFFIXES = {
    ".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps", ".txt", ".csv",
}
#: For the file dialog
FILE_FILTER = ("佐证材料 (" + " ".join(f"*{s}" for s in sorted(ALLOWED_SUFFIXES)) + ");;所有文件 (*)")


def _sha256(data: bytes) -> str:
    import hashlib  # loads OpenSSL: deferred until a file is attached or opened, not at start-up

    return hashlib.sha256(data).hexdigest()


def add_attachment(store: Store, round_id: str, path: Path, actor: Actor, *,
                   item_id: str | None = None, rectification_id: str | None = None) -> Attachment:
    """Copy the file at ``path`` into the database; refuses unknown types, large and unreadable files."""
    name = path.name
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise InputError(f"不支持的文件类型“{path.suffix or name}”。可添加 PDF、图片、Office/WPS 文档。",
                         "attachment")
    try:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise InputError(f"文件“{name}”大小为 {size / 1048576:.1f} MB，超过 "
                             f"{MAX_ATTACHMENT_BYTES // 1048576} MB 的上限。请压缩或拆分后再添加。", "attachment")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件“{name}”：{os_reason(exc)}", "attachment") from exc
    if not data:
        raise InputError(f"文件“{name}”是空文件。", "attachment")
    import mimetypes

    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    digest = _sha256(data)
    fields = {"round_id": round_id, "item_id": item_id, "rectification_id": rectification_id,
              "filename": name, "media_type": media_type, "size": len(data), "sha256": digest}
    attachment_id = store.add_attachment(fields, data, actor)
    return Attachment(id=attachment_id, **fields, author=actor.author)


def list_attachments(store: Store, round_id: str, item_id: str | None = None,
                     rectification_id: str | None = None) -> list[Attachment]:
    return [Attachment(**row) for row in store.attachments(round_id, item_id, rectification_id)]


def export_attachment(store: Store, attachment: Attachment, folder: Path) -> Path:
    """Write the attachment to ``folder`` (to open it in the system viewer); returns the path."""
    data = store.attachment_data(attachment.id)
    if _sha256(data) != attachment.sha256:
        raise InputError(f"附件“{attachment.filename}”校验失败，数据可能已损坏。", "attachment")
    target = folder / attachment.sha256[:12] / Path(attachment.filename).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def remove_attachment(store: Store, attachment_id: str, actor: Actor | None = None) -> None:
    store.delete_attachment(attachment_id, *([actor] if actor else []))
