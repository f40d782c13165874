"""A duban database as a file, through plain sqlite3 (no aiosqlite): telling it from any other
file, checking it, what it holds, and putting files in place durably. Shared by `duban backup`,
`duban restore` and `duban doctor`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

BUSY_TIMEOUT = 5.0  # seconds a connection waits for another process's lock

SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every duban database has since schema version 1: what tells it from any SQLite file.
_DUBAN_TABLES = frozenset({"plans", "items", "units", "reports", "contacts", "nudges"})
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Facts:
    """What a checked duban database holds."""

    path: Path
    size: int
    schema: int
    plans: int
    items: int
    reports: int

    def summary(self) -> str:
        return (
            f"{size_text(self.size)}, schema version {self.schema}, {counted(self.items, 'item')},"
            f" {counted(self.reports, 'report')}"
        )


def counted(count: int, noun: str) -> str:
    """ "3 items", "1 report"."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def size_text(n: int) -> str:
    """A file size in KB, or MB from one megabyte up."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB"


def connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection in autocommit mode: these commands need no aiosqlite."""
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)


def integrity(conn: sqlite3.Connection, pragma: str = "integrity_check") -> str:
    """`ok`, or the first problem `PRAGMA integrity_check` (or quick_check) names."""
    try:
        rows = conn.execute(f"PRAGMA {pragma}(20)").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    text = "; ".join(str(r[0]) for r in rows)
    if text == "ok":
        return text
    lines = [ln for ln in text.replace("*** in database main ***", "").splitlines() if ln.strip()]
    return lines[0].strip() if lines else text


def is_duban(conn: sqlite3.Connection) -> bool:
    """Whether the database has the tables every duban database has."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return names >= _DUBAN_TABLES


def read_facts(conn: sqlite3.Connection, path: Path) -> Facts:
    """What the database at `path`, open on `conn`, holds."""

    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    return Facts(
        path=path,
        size=path.stat().st_size,
        schema=int(conn.execute("PRAGMA user_version").fetchone()[0]),
        plans=count("plans"),
        items=count("items"),
        reports=count("reports"),
    )


def head_bytes(path: Path) -> bytes:
    """The first bytes of `path`: SQLite's magic string when it is a database."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC))
    except OSError:
        return b""


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync(path: Path) -> None:
    """Flush `path`'s contents to the disk."""
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def remove_with_side_files(path: Path) -> None:
    """Delete `path` and whatever -wal, -shm or -journal SQLite left beside it."""
    for p in [path, *(path.with_name(path.name + s) for s in SIDE_FILES)]:
        p.unlink(missing_ok=True)
