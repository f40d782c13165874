"""The database: one writer connection, one reader connection, migrations on open.

Following datasette, every write goes through a single writer connection, serialised by a lock
and wrapped in `BEGIN IMMEDIATE … COMMIT`; reads use their own connection, which WAL lets run
while a write is in progress.
"""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from storage.errors import StorageError
from storage.migrations import MIGRATIONS, Migration, migrate

# How long a connection waits for another process's lock before failing, in milliseconds.
BUSY_TIMEOUT_MS = 5000

_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseUnavailable(StorageError):
    """The database file cannot be opened where the settings put it: a directory, a file
    that is not SQLite, a place duban may not write. The message says which, in one line;
    it is the user's to fix (the CLI exits 2)."""


def utc_timestamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) as the UTC text the schema stores, `2025-03-01T02:30:00Z`."""
    if moment is None:
        moment = datetime.now(UTC)
    elif moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give it a time zone")
    return moment.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """The aware UTC datetime of a stored timestamp."""
    # fromisoformat reads the trailing Z since 3.11, and is several times faster than strptime
    return datetime.fromisoformat(text).astimezone(UTC)


class Database:
    """An open duban database. Create with `await Database.open(path)`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._write_owner: asyncio.Task[Any] | None = None
        self.writes = 0  # bumped by every write from this process
        # Bumped by the repositories that change the catalog or the people, so caches in this
        # process see their own changes at once (other processes' show through meta versions).
        self.local_changes: dict[str, int] = {"catalog": 0, "people": 0}
        # A multi-statement read (snapshot) holds the reader in a transaction; others wait.
        self._read_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls, path: str | Path, *, migrations: Sequence[Migration] = MIGRATIONS
    ) -> Database:
        """Open (creating if needed) the database at `path` and bring its schema up to date.

        Raises DatabaseUnavailable if the path cannot hold the database, StorageError if the
        file's schema is newer than `migrations` knows.
        """
        path = Path(path)
        _check_location(path)
        try:
            writer = await _connect(path)
        except (sqlite3.Error, OSError) as e:
            raise DatabaseUnavailable(_cannot_open(path, e)) from None
        reader: aiosqlite.Connection | None = None
        try:
            mode = await _scalar(writer, "PRAGMA journal_mode = WAL")
            if str(mode).lower() != "wal":
                raise StorageError(f"{path}: cannot switch to WAL journal mode (got {mode!r})")
            await writer.execute("PRAGMA synchronous = NORMAL")
            await migrate(writer, migrations)
            reader = await _connect(path)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException as e:
            await writer.close()
            if reader is not None:
                await reader.close()
            if isinstance(e, (sqlite3.DatabaseError, OSError)):
                # not a database, read-only file or folder, disk I/O error
                raise DatabaseUnavailable(_cannot_open(path, e)) from None
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections. Waits for a write in progress to finish."""
        async with self._write_lock, self._read_lock:
            await self._reader.close()
            await self._writer.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(
        self, *, changes: str | None = None
    ) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block as one write transaction on the writer connection.

        Transactions are serialised; the block commits when it ends and rolls back (re-raising)
        on any exception, cancellation included. Transactions do not nest. `changes` names
        what the block changes ("catalog", "people") for this process's caches.
        """
        task = asyncio.current_task()
        if task is not None and self._write_owner is task:
            # Waiting on our own lock would hang forever; fail loudly instead.
            raise StorageError("transaction() does not nest: this task already holds one")
        async with self._write_lock:
            self._write_owner = task
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                    await self._writer.execute("COMMIT")
                    self.writes += 1
                    if changes is not None:
                        self.changed(changes)
                except BaseException:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise
            finally:
                self._write_owner = None

    def changed(self, topic: str) -> None:
        """Note that this process changed `topic` ("catalog" or "people")."""
        self.local_changes[topic] += 1

    async def write_one(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run ONE writing statement on its own (atomic by itself in autocommit mode): one
        trip to the writer thread instead of three for BEGIN, the statement and COMMIT.
        Returns the new row id."""
        task = asyncio.current_task()
        if task is not None and self._write_owner is task:
            raise StorageError("write_one() inside transaction(): use the transaction's connection")
        async with self._write_lock:
            cursor = await self._writer.execute(sql, tuple(params))
            self.writes += 1
            return cursor.lastrowid or 0

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run several reads on the reader connection against one consistent state."""
        async with self._read_lock:
            await self._reader.execute("BEGIN")
            try:
                yield self._reader
            finally:
                await self._reader.execute("COMMIT")

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """All rows of one query, read on the reader connection."""
        async with self._read_lock:
            return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of one query (or None), read on the reader connection."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


def _check_location(path: Path) -> None:
    """Refuse, before SQLite tries, a path that cannot be a database file; create its folder."""
    hint = "set DUBAN_DATABASE (or --database) to a file"
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise DatabaseUnavailable(_cannot_open(path, e)) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise DatabaseUnavailable(
                f"cannot open database {path}: it is a directory; {hint}, e.g. {path / 'duban.db'}"
            )
        if not stat.S_ISREG(info.st_mode):
            raise DatabaseUnavailable(
                f"cannot open database {path}: it is not a regular file; {hint}"
            )
        try:
            with path.open("rb") as f:
                head = f.read(len(_SQLITE_HEADER))
        except OSError as e:
            raise DatabaseUnavailable(_cannot_open(path, e)) from None
        if head and head != _SQLITE_HEADER:
            raise DatabaseUnavailable(
                f"cannot open database {path}: the file is not an SQLite database; {hint} "
                "that does not exist yet or that duban created"
            )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseUnavailable(
            f"cannot create the folder of database {path}: {_reason(e)}; {hint} in a folder "
            "duban may write"
        ) from None


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError):
        return e.strerror or e.__class__.__name__
    return str(e) or e.__class__.__name__


def _cannot_open(path: Path, e: BaseException) -> str:
    reason = _reason(e)
    if "readonly" in reason or "read-only" in reason or isinstance(e, PermissionError):
        reason += " (duban needs to write the database and the files beside it)"
    return f"cannot open database {path}: {reason}"


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: the sqlite3 module must not open transactions behind our back;
    # transaction() and snapshot() say BEGIN themselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _scalar(conn: aiosqlite.Connection, sql: str) -> Any:
    rows = list(await conn.execute_fetchall(sql))
    return rows[0][0] if rows else None
