"""佐证材料: files attached to an item (or a rectification), copied into the database.

Hostile files are refused before anything is written (issue 11, defects 6.4, 6.5, 6.8):

- only regular files: a symlink (to ``/dev/zero``, ``/etc/shadow`` …), a FIFO, a device or a folder
  named ``x.pdf`` is refused; files are opened non-blocking and without following a symlink, and
  checked on the open file, so nothing can be swapped in between;
- read with a hard byte limit, whatever size the file system reports (``/proc`` files say 0);
- file names: bidi controls are removed, a name with a line break or a control character is refused;
- :func:`read_attachment_file` touches no database, so the GUI runs it in a worker thread and then
  stores the result with :func:`store_attachment` on its own thread;
- an attachment is opened from a private folder of this process (``tempfile.mkdtemp``: mode 0700,
  unpredictable name), written with exclusive create and ``O_NOFOLLOW`` into a fresh sub-folder, and
  the folder is removed when the program ends.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..domain.formats import sizes_compared
from ..domain.records import Attachment
from ..domain.text import clean_text, filename_problem, safe_file_name
from ..errors import InputError, os_reason
from ..store import Actor, Store

#: Larger files belong in the hospital's document system, not in the self-inspection database.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

ALLOWED_SUFFIXES = {
    ".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps", ".txt", ".csv",
}  # fmt: skip
#: what may be added, said where nothing has been yet
ACCEPTED_TEXT = f"照片、扫描件（PDF、OFD、图片）和 Word、Excel、WPS 文档，单个不超过 {MAX_ATTACHMENT_BYTES >> 20} MB"
#: For the file dialog
FILE_FILTER = "佐证材料 (" + " ".join(f"*{s}" for s in sorted(ALLOWED_SUFFIXES)) + ");;所有文件 (*)"

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a symlink swapped in after the check fails to open (ELOOP)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once (and is then refused) instead of blocking
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _sha256(data: bytes) -> str:
    import hashlib  # loads OpenSSL: deferred until a file is attached or opened, not at start-up

    return hashlib.sha256(data).hexdigest()


def _shown(name: str) -> str:
    """A file name fit for a message: line breaks and control characters made visible."""
    return "".join("↵" if ch in "\r\n" else "�" if not ch.isprintable() else ch for ch in clean_text(name))


@dataclass(frozen=True)
class AttachmentFile:
    """A file read for attaching, not stored yet."""

    name: str
    data: bytes
    media_type: str
    sha256: str


def _too_large(name: str, size: int) -> InputError:
    shown, limit = sizes_compared(size, MAX_ATTACHMENT_BYTES)  # never "20.0 MB，超过 20 MB"
    return InputError(f"文件“{name}”大小为 {shown}，超过上限 {limit}。请压缩或拆分后再添加。", "attachment")


def _read_limited(fd: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: one more than allowed tells that the file is too large."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_attachment_file(path: Path) -> AttachmentFile:
    """Read the file at ``path`` for attaching; refuses unknown types, special files, symlinks,
    large and unreadable files. Touches no database: safe to run in a worker thread."""
    path = Path(path)
    name = _attachment_name(path)
    fd = _open_not_following(path, name)
    try:
        data, size = _read_regular_file(fd, name)
    except OSError as exc:
        raise InputError(f"无法读取文件“{name}”：{os_reason(exc)}", "attachment") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _too_large(name, max(len(data), size))
    if len(data) != size:
        raise InputError(
            f"文件“{name}”读出的大小与系统报告的不符（可能正被其他程序写入，或不是普通的文档），请稍后再试。",
            "attachment",
        )
    if not data:
        raise InputError(f"文件“{name}”是空文件。", "attachment")
    import mimetypes

    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return AttachmentFile(name, data, media_type, _sha256(data))


def _attachment_name(path: Path) -> str:
    """The name the attachment is stored under: refused when it could mislead or has an unknown type."""
    problem = filename_problem(path.name)
    if problem:
        raise InputError(f"{problem}（“{_shown(path.name)}”），无法添加。请把文件改名后再添加。", "attachment")
    name = clean_text(path.name)  # bidi controls out: "照片\u202egpj.pdf" would show as 照片fdp.jpg
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InputError(f"不支持的文件类型“{suffix or name}”。可添加 PDF、图片、Office/WPS 文档。", "attachment")
    return name


def _open_not_following(path: Path, name: str) -> int:
    """A descriptor of the file itself: a symlink is refused, also one swapped in after the check."""
    link = InputError(f"“{name}”是一个链接（快捷方式），请直接选择它指向的文件。", "attachment")
    try:
        if path.is_symlink():
            raise link
        return os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise link from exc
        raise InputError(f"无法读取文件“{name}”：{os_reason(exc)}", "attachment") from exc


def _read_regular_file(fd: int, name: str) -> tuple[bytes, int]:
    """(at most one byte over the limit, the size the system reports); only a regular file."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"“{name}”不是普通文件（而是文件夹、设备或管道等），不能作为附件。", "attachment")
    if info.st_size > MAX_ATTACHMENT_BYTES:
        raise _too_large(name, info.st_size)
    return _read_limited(fd, MAX_ATTACHMENT_BYTES), info.st_size


def store_attachment(
    store: Store,
    round_id: str,
    file: AttachmentFile,
    actor: Actor,
    *,
    item_id: str | None = None,
    rectification_id: str | None = None,
) -> Attachment:
    """Store a file read by :func:`read_attachment_file` (one transaction). A rectification that
    a later 复查轮次 carried over takes its evidence there (InputError)."""
    if rectification_id is not None:
        from .rectifications import ensure_followed_up_here

        ensure_followed_up_here(store, rectification_id, "添加佐证材料")
    siblings = store.attachments(round_id, item_id, rectification_id) if item_id or rectification_id else []
    name = numbered_name(file.name, {a.filename for a in siblings})
    fields = {
        "round_id": round_id,
        "item_id": item_id,
        "rectification_id": rectification_id,
        "filename": name,
        "media_type": file.media_type,
        "size": len(file.data),
        "sha256": file.sha256,
    }
    attachment_id = store.add_attachment(fields, file.data, actor)
    return Attachment(
        id=attachment_id,
        round_id=round_id,
        item_id=item_id,
        rectification_id=rectification_id,
        filename=name,
        media_type=file.media_type,
        size=len(file.data),
        sha256=file.sha256,
        author=actor.author,
    )


def numbered_name(name: str, taken: set[str]) -> str:
    """``name``, or ``现场照片（2）.jpg``, （3）… where an item or rectification already has a file of
    that name (case-blind, as Windows compares names): two photos both listed as 现场照片.jpg in
    the reports could not be told apart, and a package extracted on Windows held only one."""
    used = {t.casefold() for t in taken}
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}（{n}）{dot}{suffix}"
    return candidate


def add_attachment(
    store: Store,
    round_id: str,
    path: Path,
    actor: Actor,
    *,
    item_id: str | None = None,
    rectification_id: str | None = None,
) -> Attachment:
    """Copy the file at ``path`` into the database: :func:`read_attachment_file`, then
    :func:`store_attachment`."""
    return store_attachment(
        store, round_id, read_attachment_file(path), actor, item_id=item_id, rectification_id=rectification_id
    )


def list_attachments(
    store: Store, round_id: str, item_id: str | None = None, rectification_id: str | None = None
) -> list[Attachment]:
    return store.attachments(round_id, item_id, rectification_id)


_private: Path | None = None


_PRIVATE_PREFIX = "mqsc-open-"


def private_folder() -> Path:
    """This process's own folder for opened attachments: made by ``tempfile.mkdtemp`` (mode 0700,
    a name no one can guess but for the process id in it), removed when the program ends.

    Windows cannot delete a file another program holds open: scans of patient records opened in
    WPS stayed in %TEMP% for good (Windows review), as they do after a crash anywhere. The folders
    of processes that no longer run are removed when the next one makes its own."""
    global _private
    if _private is None or not _private.is_dir():
        import atexit
        import shutil
        import tempfile

        _remove_orphaned_folders(Path(tempfile.gettempdir()))
        _private = Path(tempfile.mkdtemp(prefix=f"{_PRIVATE_PREFIX}{os.getpid()}-"))
        atexit.register(shutil.rmtree, _private, ignore_errors=True)
    return _private


def _remove_orphaned_folders(temp: Path) -> None:
    import shutil

    from ..files import pid_alive

    for folder in temp.glob(f"{_PRIVATE_PREFIX}*-*"):
        pid = folder.name[len(_PRIVATE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)  # what a viewer still holds stays till next time


def export_attachment(store: Store, attachment: Attachment, folder: Path | None = None) -> Path:
    """Write the attachment to a new sub-folder of ``folder`` (by default :func:`private_folder`) to
    open it in the system viewer; returns the path. The file is created exclusively, never through
    a symlink, readable by this user only."""
    import tempfile

    data = store.attachment_data(attachment.id)
    if _sha256(data) != attachment.sha256:
        raise InputError(f"附件“{attachment.filename}”校验失败，数据可能已损坏。", "attachment")
    base = private_folder() if folder is None else Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=base)) / safe_file_name(attachment.filename, 150, "附件")
    fd = os.open(target, _WRITE_FLAGS, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return target


def remove_attachment(store: Store, attachment_id: str, actor: Actor | None = None) -> None:
    store.delete_attachment(attachment_id, *([actor] if actor else []))
