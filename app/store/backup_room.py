"""Room for a backup (备份空间): a backup never fills the disk.

Every backup is the whole database with its attachments (two years of scans: 845 MB), and
rotation keeps about 25 of them (21 GB). Left alone, backups on a nearly full disk would take its
last bytes, and then the database itself could not write (SQLite needs room for its WAL and its
``-shm`` file), nor could the system. So, before a backup:

- it needs the database's size: the online backup API copies every page;
- on the database's own disk it must leave :func:`floor` free (5 % of the disk, at most 1 GiB);
  on another disk (a USB stick or a disk chosen for backups) it must fit, with 1 MiB to spare;
- when it does not, older backups make room: first those kept only for being among the newest
  10 (the newest of each day, week and month spread the history further back), then the oldest;
  never the newest :data:`KEEP_ALWAYS`;
- when even that would not make room, nothing is deleted and the backup is refused, saying what
  it needs and what is free.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KEEP_ALWAYS", "Room", "floor", "room_for", "room_plan"]

#: backups never deleted to make room for a new one: the newest (checked when made) stays,
#: even if the new backup then fails its own check
KEEP_ALWAYS = 1
#: free space to leave on the database's disk: this share of it …
FLOOR_SHARE = 0.05
#: … but no more than this
FLOOR_MAX = 1 << 30
#: free space to leave on another disk
MARGIN = 1 << 20


@dataclass(frozen=True)
class Room:
    """What a new backup needs and what its folder's disk has, in bytes."""

    needed: int
    free: int
    #: to be left free once the backup is written
    keep_free: int

    @property
    def short(self) -> int:
        """How much is missing (0 or less: it fits)."""
        return self.needed + self.keep_free - self.free


def floor(total: int, on_database_disk: bool) -> int:
    """The free space a backup must leave on a disk of ``total`` bytes."""
    return min(FLOOR_MAX, int(total * FLOOR_SHARE)) if on_database_disk else MARGIN


def room_plan(backups: Sequence, room: Room) -> list | None:
    """Which of ``backups`` (``store.backup.Backup``) to delete, in that order, so that the new
    one fits: ``[]`` when it fits as things are, ``None`` when it would not fit even with only
    the newest :data:`KEEP_ALWAYS` left (then nothing is to be deleted)."""
    from .backup import to_remove

    if room.short <= 0:
        return []
    newest_first = sorted(backups, key=lambda b: (b.made_at, b.seq), reverse=True)
    spare = newest_first[KEEP_ALWAYS:]
    only_recent = {b.path for b in to_remove(newest_first, recent=KEEP_ALWAYS)}
    order = sorted(spare, key=lambda b: (b.path not in only_recent, b.made_at, b.seq))
    chosen, short = [], room.short
    for backup in order:
        if short <= 0:
            break
        chosen.append(backup)
        short -= backup.size
    return chosen if short <= 0 else None


def database_size(conn) -> int:
    """The size of the backup of ``conn``'s database: every page of its current state."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return int(pages * conn.execute("PRAGMA page_size").fetchone()[0])


def _same_disk(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return True  # when in doubt, keep the database's disk from filling


def room_for(conn, folder: Path, db_path: Path) -> Room:
    """What a backup of ``conn``'s database into ``folder`` needs and finds; raises OSError."""
    usage = shutil.disk_usage(folder)
    on_database_disk = _same_disk(Path(folder), Path(db_path).resolve().parent)
    return Room(database_size(conn), usage.free, floor(usage.total, on_database_disk))
