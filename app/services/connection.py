"""A worker thread's own connection to the database (SQLite connections stay on their thread;
WAL lets a worker read while the window writes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store


def connect(db_path: Path) -> Store:
    """A new connection to the database at ``db_path`` (the window's, after a restore replaced
    the file); the caller closes it."""
    from ..store import open_store

    return open_store(db_path)


@contextmanager
def own_connection(db_path: Path) -> Iterator[Store]:
    """Open the database at ``db_path`` for the block, and close it after."""
    from ..store import open_store

    store = open_store(db_path)
    try:
        yield store
    finally:
        store.close()
