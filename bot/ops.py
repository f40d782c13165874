"""Backing the database up and putting a backup back: `duban backup`, `duban restore`.

Backups use SQLite's online backup API, a few megabytes per step: a running bot is never
blocked (the database is in WAL mode, where a reader holds up no writer). When the bot writes
between steps, SQLite starts the copy again; after a few restarts the whole copy is made in one
step, under one read snapshot, which in WAL mode does not block the bot either.

Refused while a bot or a nudge pass runs on the database: the lock is bot.lock. What a
database file holds and how it is checked is bot.dbfile; `duban doctor` is bot.doctor (its
command and defaults are re-exported here, beside the other maintenance commands bot.cli calls).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import stat
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.dbfile import (
    SIDE_FILES,
    SQLITE_MAGIC,
    Facts,
    connect,
    fsync,
    fsync_dir,
    integrity,
    is_duban,
    read_facts,
    remove_with_side_files,
)
from bot.errors import UserError
from bot.lock import hold_database
from config import Settings
from storage.migrations import MIGRATIONS, latest_version

BACKUP_PAGES = 1024  # pages per backup step: 4 MB at SQLite's default page size
BACKUP_PAUSE = 0.002  # seconds between steps, for the bot's checkpoints to get in
BACKUP_RESTARTS = 3  # restarts (the bot wrote meanwhile) before copying the rest in one step
BACKUP_BUSY_LIMIT = 10.0  # seconds a backup step may keep finding the database locked
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: the step could not take its lock


@dataclass(frozen=True)
class BackupResult:
    facts: Facts
    seconds: float
    restarts: int


class _TooManyRestarts(Exception):
    pass


def backup(database: Path, target: Path, *, force: bool = False) -> BackupResult:
    """Copy `database` to `target` with SQLite's online backup, while a bot may be writing,
    then check the copy: integrity, and the schema version of the source. Writes a temporary
    file in `target`'s folder and renames it, so `target` is never half written."""
    if not database.is_file():
        raise UserError(f"no database at {database} (DUBAN_DATABASE); nothing to back up")
    if target.is_dir():
        raise UserError(f"{target} is a folder; name the backup file, e.g. {target}/duban.db")
    if not target.parent.is_dir():
        raise UserError(f"no folder {target.parent} for the backup; create it first")
    if target.exists():
        if not force:
            raise UserError(f"{target} exists; add --force to overwrite it")
        if target.resolve() == database.resolve():
            raise UserError(f"{target} is the database itself; back it up to another file")
    started = time.monotonic()
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    remove_with_side_files(temp)
    try:
        source = connect(database)
        try:
            try:
                duban = is_duban(source)
                schema = int(source.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.DatabaseError as e:
                raise UserError(f"cannot read {database}: {e}") from None
            if not duban:
                raise UserError(f"{database} is not a duban database; nothing to back up")
            try:
                restarts = _copy(source, temp)
            except sqlite3.DatabaseError as e:
                raise UserError(f"the backup of {database} to {target} failed: {e}") from None
        finally:
            source.close()
        copy = connect(temp)
        try:
            problem = integrity(copy)
            if problem != "ok":
                raise UserError(
                    f"the copy of {database} failed its integrity check ({problem}): the database"
                    " itself may be damaged, see duban doctor"
                )
            # a standalone file: no -wal or -shm needed beside it (duban switches it back to
            # WAL when it opens it after a restore)
            copy.execute("PRAGMA journal_mode = DELETE")
            facts = read_facts(copy, temp)
        finally:
            copy.close()
        if facts.schema != schema:
            raise UserError(f"the copy has schema version {facts.schema}, the database {schema}")
        fsync(temp)
        if force:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise UserError(f"{target} exists; add --force to overwrite it") from None
            except OSError:  # a file system without hard links
                os.replace(temp, target)
        fsync_dir(target.parent)
    finally:
        remove_with_side_files(temp)
    facts = replace(facts, path=target, size=target.stat().st_size)
    return BackupResult(facts, time.monotonic() - started, restarts)


def _copy(source: sqlite3.Connection, temp: Path) -> int:
    """Back `source` up into `temp` in steps; returns how often the bot's writes restarted it.

    After each step SQLite tells the pages left and the pages in all, so the pages copied so far.
    A write by another connection since the last step starts the copy again from page 1: that
    step ends with no more pages copied than the one before, where any other step ends with more.
    (What is left does not tell: a restart after a restart ends where that one did.)

    sqlite3's backup() retries a busy step for ever; a lock held that long ends it here."""
    restarts = 0
    copied = -1  # pages copied when the last step ended; no step yet
    busy_since: float | None = None
    in_one_step = False

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal restarts, copied, busy_since
        if status in _BUSY:
            busy_since = busy_since or time.monotonic()
            if time.monotonic() - busy_since > BACKUP_BUSY_LIMIT:
                raise UserError(
                    f"the database stayed locked for {BACKUP_BUSY_LIMIT:g} s; try again"
                )
            return
        busy_since = None
        if not in_one_step and total - remaining <= copied:
            restarts += 1
            if restarts > BACKUP_RESTARTS and remaining:
                raise _TooManyRestarts
        copied = total - remaining
        if remaining:
            time.sleep(BACKUP_PAUSE)

    target = connect(temp)
    try:
        source.backup(target, pages=BACKUP_PAGES, progress=progress)
    except _TooManyRestarts:
        target.close()
        remove_with_side_files(temp)
        target = connect(temp)
        in_one_step = True  # one read snapshot for the rest: in WAL mode it blocks no writer
        source.backup(target, pages=-1, progress=progress)
    finally:
        target.close()
    return restarts


def cmd_backup(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`duban backup FILE [--force]`: one line saying what the checked copy holds."""
    result = backup(settings.database, Path(args.file), force=args.force)
    f = result.facts
    print(
        f"Backed up {settings.database} to {f.path}: {f.summary()}; integrity ok"
        f" ({result.seconds:.1f} s)",
        file=out,
    )
    return 0


# ---------------------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    facts: Facts
    kept: Path | None  # the database as it was, beside the new one


def check_candidate(path: Path) -> None:
    """Refuse (UserError) what is plainly not a database before copying anything: a missing
    file, a folder, a FIFO or device (reading those may never end), an empty or foreign file."""
    try:
        st = path.stat()
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} is not a regular file; give the backup file")
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from None
    if head != SQLITE_MAGIC:
        raise UserError(f"{path} is not an SQLite database (a duban backup is one)")


def restore(database: Path, source: Path, *, now: datetime) -> RestoreResult:
    """Put the backup `source` in place of `database`, keeping the old file beside it as
    `<database>.before-restore-YYYYmmdd-HHMMSS` (with its WAL, if it could not be checkpointed).

    Refused while a bot or a nudge pass runs on the database, and for a `source` that is not
    a sound duban database of a schema this duban knows (an older one is upgraded at the next
    open). On any refusal the database is untouched.
    """
    check_candidate(source)
    if database.exists() and source.resolve() == database.resolve():
        raise UserError(f"{source} is the database itself")
    with hold_database(database, "restore"):
        temp = database.with_name(f".{database.name}.restore-{os.getpid()}")
        remove_with_side_files(temp)
        try:
            facts = _prepare(source, temp)
            if database.exists():
                _same_owner(temp, database)
            kept = _set_aside(database, now) if database.exists() else None
            os.replace(temp, database)
            fsync_dir(database.parent)
        finally:
            remove_with_side_files(temp)
    return RestoreResult(replace(facts, path=database, size=database.stat().st_size), kept)


def _same_owner(path: Path, like: Path) -> None:
    """Give `path` the mode and owner of `like`: a restore run as root (docker exec -u root)
    must not leave the bot a database it cannot write."""
    st = like.stat()
    os.chmod(path, stat.S_IMODE(st.st_mode))
    with contextlib.suppress(OSError):  # only root may give a file away; as anyone else it is ours
        os.chown(path, st.st_uid, st.st_gid)


def _prepare(source: Path, temp: Path) -> Facts:
    """Copy `source` (and its WAL, if it has one) to `temp` beside the database and check the
    copy: the user's file is never opened for writing, and what is checked is what goes in."""
    wal = source.with_name(source.name + "-wal")
    try:
        shutil.copyfile(source, temp)
        if wal.is_file() and wal.stat().st_size > 0:
            shutil.copyfile(wal, temp.with_name(temp.name + "-wal"))
    except OSError as e:
        raise UserError(f"cannot copy {source} beside the database: {e.strerror or e}") from None
    conn = connect(temp)
    try:
        problem = integrity(conn)
        if problem != "ok":
            raise UserError(f"{source} is damaged ({problem}); the database is unchanged")
        if not is_duban(conn):
            raise UserError(f"{source} is an SQLite database but not duban's; nothing restored")
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        latest = latest_version(MIGRATIONS)
        if schema > latest:
            raise UserError(
                f"{source} has schema version {schema}, newer than this duban knows ({latest});"
                " upgrade duban first"
            )
        # Fold a WAL in (one file to move), then mark the file WAL as duban keeps it.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA journal_mode = WAL")
        facts = read_facts(conn, temp)
    except sqlite3.DatabaseError as e:
        raise UserError(f"{source} is damaged ({e}); the database is unchanged") from None
    finally:
        conn.close()
    fsync(temp)
    return facts


def _set_aside(database: Path, now: datetime) -> Path:
    """Checkpoint the old database and move it (and whatever -wal/-shm remain) aside."""
    with contextlib.suppress(sqlite3.Error):  # a damaged database is moved as it is
        conn = connect(database)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()  # the last connection: SQLite removes -wal and -shm when it can
    stamp = now.strftime("%Y%m%d-%H%M%S")
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        kept = database.with_name(f"{database.name}.before-restore-{stamp}-{n}")
        n += 1
    # A WAL that could not be checkpointed belongs to the old file: it goes with it, under the
    # name SQLite looks for beside the new name. Left behind, it would be replayed onto the
    # restored database.
    for suffix in SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            os.rename(side, kept.with_name(kept.name + suffix))
    os.rename(database, kept)
    return kept


def cmd_restore(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`duban restore FILE`: one line saying what is now in place and where the old file is."""
    result = restore(settings.database, Path(args.file), now=datetime.now(settings.tz))
    f = result.facts
    latest = latest_version(MIGRATIONS)
    upgrade = f" (upgraded to {latest} when duban next opens it)" if f.schema < latest else ""
    kept = f"; the old database is kept as {result.kept}" if result.kept else ""
    print(f"Restored {settings.database} from {args.file}: {f.summary()}{upgrade}{kept}", file=out)
    return 0
