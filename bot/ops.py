"""Keeping duban running: `duban backup`, `duban restore`, `duban doctor`, and the lock that
tells them whether a bot runs on the database.

The lock is `<database>.lock`, held with POSIX record locks (fcntl.lockf) on two bytes, so the
kernel drops it when a process dies however it dies — no stale lock to clean up:

- byte 0, the bot: `duban run` holds it exclusively. A second `duban run` on the same database
  is refused (two bots polling one token get 409 Conflict from Telegram).
- byte 1, in use: `duban run` and `duban send-due` hold it shared. They coexist — with
  DUBAN_SCHEDULER=off the bot answers chats while cron runs `duban send-due`.
- `duban restore` takes both bytes exclusively: it is refused while any of them runs, and a bot
  started during a restore is refused until it is done.

Nobody waits for the lock longer than half a second (`duban doctor` probes the bot's byte for an
instant); a refusal is one line naming the holder (`duban run, pid 4321`, written in the file).

Record locks belong to the process, so only this module opens the lock file (closing any
descriptor of it would release the process's locks). The file is never deleted: deleting a lock
file while another process waits on it is the classic race.

Backups use SQLite's online backup API, a few megabytes per step: a running bot is never
blocked (the database is in WAL mode, where a reader holds up no writer). When the bot writes
between steps, SQLite starts the copy again; after a few restarts the whole copy is made in one
step, under one read snapshot, which in WAL mode does not block the bot either.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TextIO

from bot.errors import UserError
from config import Settings, SettingsError
from storage.migrations import MIGRATIONS, latest_version

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no record locks: duban runs unlocked there
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"
_BOT_BYTE = 0  # exclusive: duban run
_USE_BYTE = 1  # shared: duban run, duban send-due; exclusive with byte 0: duban restore
_PATIENCE = 0.5  # seconds a command waits for the lock before it is refused

BACKUP_PAGES = 1024  # pages per backup step: 4 MB at SQLite's default page size
BACKUP_PAUSE = 0.002  # seconds between steps, for the bot's checkpoints to get in
BACKUP_RESTARTS = 3  # restarts (the bot wrote meanwhile) before copying the rest in one step
BACKUP_BUSY_LIMIT = 10.0  # seconds a backup step may keep finding the database locked
_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: the step could not take its lock
BUSY_TIMEOUT = 5.0  # seconds a connection waits for another process's lock

MIN_FREE_MB = 100  # doctor: less free space than this beside the database fails the check
API_TIMEOUT = 5.0  # doctor: seconds the Bot API may take to answer getMe

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every duban database has since schema version 1: what tells it from any SQLite file.
_DUBAN_TABLES = frozenset({"plans", "items", "units", "reports", "contacts", "nudges"})
_SIDE_FILES = ("-wal", "-shm", "-journal")

Command = Literal["run", "send-due", "restore"]


def lock_path(database: Path) -> Path:
    """The lock file beside `database`: `duban.db` → `duban.db.lock`."""
    return database.with_name(database.name + LOCK_SUFFIX)


# ---------------------------------------------------------------------------- the lock


def _try_lock(fd: int, kind: int, length: int, start: int, patience: float = 0.0) -> bool:
    """Take a record lock, waiting at most `patience` seconds (polling: lockf cannot time out);
    False when another process holds a conflicting one. (`duban doctor` probes the bot's byte
    for an instant: a bot starting at that very moment must not take it for a running bot.)"""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.lockf(fd, kind | fcntl.LOCK_NB, length, start, os.SEEK_SET)
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        else:
            return True


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it ("4321 duban run"), or "" if unknown."""
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _describe(fd: int, fallback: str) -> str:
    """`duban run, pid 4321` from the lock file's text."""
    pid, _, command = _holder(fd).partition(" ")
    return f"{command}, pid {pid}" if pid.isdigit() and command else fallback


@contextlib.contextmanager
def hold_database(database: Path, command: Command) -> Iterator[None]:
    """Hold `<database>.lock` for the block, as `command`; refuse (UserError) when it conflicts.

    `run`: the bot byte exclusively and the in-use byte shared; `send-due`: the in-use byte
    shared; `restore`: both exclusively. None waits longer than half a second.
    """
    if database.is_dir():
        raise UserError(f"the database {database} is a directory; DUBAN_DATABASE names a file")
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise UserError(f"cannot create the lock file {path}: {e.strerror or e}") from None
    try:
        if command == "restore":
            if not _try_lock(fd, fcntl.LOCK_EX, 2, _BOT_BYTE, _PATIENCE):
                raise UserError(_busy_for_restore(fd, database))
        elif command == "run":
            if not _try_lock(fd, fcntl.LOCK_EX, 1, _BOT_BYTE, _PATIENCE):
                who = _describe(fd, "another duban")
                raise UserError(
                    f"a bot is already running on {database} ({who}); stop it first — two bots"
                    " on one token make Telegram refuse both (409 Conflict)"
                    if "restore" not in who
                    else f"a restore of {database} is in progress ({who}); start the bot when it"
                    " is done"
                )
            if not _try_lock(fd, fcntl.LOCK_SH, 1, _USE_BYTE, _PATIENCE):
                raise UserError(f"a restore of {database} is in progress; try again when done")
        elif not _try_lock(fd, fcntl.LOCK_SH, 1, _USE_BYTE, _PATIENCE):
            raise UserError(
                f"a restore of {database} is in progress ({_describe(fd, 'duban restore')});"
                " try again when it is done"
            )
        if command != "send-due":  # send-due shares the file with a bot: the bot's text stays
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} duban {command}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases every record lock this process holds on the file


def _busy_for_restore(fd: int, database: Path) -> str:
    """Why a restore cannot have the lock: a bot runs, a nudge pass runs, or another restore."""
    if _try_lock(fd, fcntl.LOCK_EX, 1, _BOT_BYTE):
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _BOT_BYTE, os.SEEK_SET)
        return f"duban send-due is running a nudge pass on {database}; restore when it is done"
    who = _describe(fd, "duban run")
    if "restore" in who:
        return f"another restore of {database} is in progress ({who})"
    return f"a bot is running on {database} ({who}); stop it first, then restore"


def bot_running(database: Path) -> str | None:
    """`duban run, pid 4321` when a bot holds the database's lock, else None. Probes the lock
    for an instant (so it must not run in a process that holds it: closing drops those)."""
    path = lock_path(database)
    if fcntl is None:  # pragma: no cover
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd, fcntl.LOCK_EX, 1, _BOT_BYTE):
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, _BOT_BYTE, os.SEEK_SET)
            return None
        return _describe(fd, "duban run")
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- checking a file


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
            f"{_size(self.size)}, schema version {self.schema}, {_n(self.items, 'item')},"
            f" {_n(self.reports, 'report')}"
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB"


def _connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection in autocommit mode: these commands need no aiosqlite."""
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)


def _integrity(conn: sqlite3.Connection, pragma: str = "integrity_check") -> str:
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


def _is_duban(conn: sqlite3.Connection) -> bool:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return names >= _DUBAN_TABLES


def _facts(conn: sqlite3.Connection, path: Path) -> Facts:
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


def _head(path: Path) -> bytes:
    """The first bytes of `path`: SQLite's magic string when it is a database."""
    try:
        with path.open("rb") as f:
            return f.read(len(_SQLITE_MAGIC))
    except OSError:
        return b""


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def _remove_with_side_files(path: Path) -> None:
    for p in [path, *(path.with_name(path.name + s) for s in _SIDE_FILES)]:
        p.unlink(missing_ok=True)


# ---------------------------------------------------------------------------- backup


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
    _remove_with_side_files(temp)
    try:
        source = _connect(database)
        try:
            try:
                duban = _is_duban(source)
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
        copy = _connect(temp)
        try:
            problem = _integrity(copy)
            if problem != "ok":
                raise UserError(
                    f"the copy of {database} failed its integrity check ({problem}): the database"
                    " itself may be damaged, see duban doctor"
                )
            # a standalone file: no -wal or -shm needed beside it (duban switches it back to
            # WAL when it opens it after a restore)
            copy.execute("PRAGMA journal_mode = DELETE")
            facts = _facts(copy, temp)
        finally:
            copy.close()
        if facts.schema != schema:
            raise UserError(f"the copy has schema version {facts.schema}, the database {schema}")
        _fsync(temp)
        if force:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise UserError(f"{target} exists; add --force to overwrite it") from None
            except OSError:  # a file system without hard links
                os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        _remove_with_side_files(temp)
    facts = replace(facts, path=target, size=target.stat().st_size)
    return BackupResult(facts, time.monotonic() - started, restarts)


def _copy(source: sqlite3.Connection, temp: Path) -> int:
    """Back `source` up into `temp` in steps; returns how often the bot's writes restarted it.

    sqlite3's backup() retries a busy step for ever; a lock held that long ends it here."""
    restarts = 0
    last = -1
    busy_since: float | None = None
    in_one_step = False

    def progress(status: int, remaining: int, _total: int) -> None:
        nonlocal restarts, last, busy_since
        if status in _BUSY:
            busy_since = busy_since or time.monotonic()
            if time.monotonic() - busy_since > BACKUP_BUSY_LIMIT:
                raise UserError(
                    f"the database stayed locked for {BACKUP_BUSY_LIMIT:g} s; try again"
                )
            return
        busy_since = None
        if not in_one_step and last >= 0 and remaining > last:
            restarts += 1
            if restarts > BACKUP_RESTARTS:
                raise _TooManyRestarts
        last = remaining
        if remaining:
            time.sleep(BACKUP_PAUSE)

    target = _connect(temp)
    try:
        source.backup(target, pages=BACKUP_PAGES, progress=progress)
    except _TooManyRestarts:
        target.close()
        _remove_with_side_files(temp)
        target = _connect(temp)
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
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from None
    if head != _SQLITE_MAGIC:
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
        _remove_with_side_files(temp)
        try:
            facts = _prepare(source, temp)
            if database.exists():
                _same_owner(temp, database)
            kept = _set_aside(database, now) if database.exists() else None
            os.replace(temp, database)
            _fsync_dir(database.parent)
        finally:
            _remove_with_side_files(temp)
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
    conn = _connect(temp)
    try:
        problem = _integrity(conn)
        if problem != "ok":
            raise UserError(f"{source} is damaged ({problem}); the database is unchanged")
        if not _is_duban(conn):
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
        facts = _facts(conn, temp)
    except sqlite3.DatabaseError as e:
        raise UserError(f"{source} is damaged ({e}); the database is unchanged") from None
    finally:
        conn.close()
    _fsync(temp)
    return facts


def _set_aside(database: Path, now: datetime) -> Path:
    """Checkpoint the old database and move it (and whatever -wal/-shm remain) aside."""
    with contextlib.suppress(sqlite3.Error):  # a damaged database is moved as it is
        conn = _connect(database)
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
    for suffix in _SIDE_FILES:
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


# ---------------------------------------------------------------------------- doctor

Status = Literal["ok", "fail", "skip"]
MARKS: dict[Status, str] = {"ok": "✓", "fail": "✗", "skip": "–"}
CHECKS = ("settings", "database", "integrity", "schema", "journal", "working days", "disk",
          "CJK font", "Bot API", "schedule")  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One line of `duban doctor`: what was checked, how it went, and the fix when it failed."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.name}: {self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


@dataclass
class DoctorOptions:
    quick: bool = False  # skip the network (the Bot API) and check integrity the quick way
    timeout: float = API_TIMEOUT
    min_free_mb: int = MIN_FREE_MB


def doctor(settings: Settings | SettingsError, options: DoctorOptions) -> list[Check]:
    """Every check, in order; later checks are skipped when what they need is missing."""
    if isinstance(settings, SettingsError):
        return [
            Check(
                "settings",
                "fail",
                str(settings),
                "set the variables named (environment or .env); see README, Settings",
            ),
            *(Check(name, "skip", "not checked: the settings did not load") for name in CHECKS[1:]),
        ]
    checks = [
        Check(
            "settings",
            "ok",
            f"loaded (database {settings.database}, {settings.timezone}, {settings.language})",
        )
    ]
    checks += _database_checks(settings.database, options)
    checks.append(_disk_check(settings.database, options.min_free_mb))
    checks.append(_font_check())
    if options.quick:
        checks.append(Check("Bot API", "skip", "not checked (--quick)"))
    else:
        checks.append(_api_check(settings, options.timeout))
    checks.append(_schedule_check(settings))
    return checks


def _database_checks(database: Path, options: DoctorOptions) -> list[Check]:
    """The database opens and is duban's; integrity; schema version; WAL; a bot on it;
    chinesecalendar knows its plan years."""
    names = ("integrity", "schema", "journal", "working days")

    def skipped(why: str) -> list[Check]:
        return [Check(n, "skip", why) for n in names]

    if database.is_dir():
        return [
            Check("database", "fail", f"{database} is a folder", "set DUBAN_DATABASE to a file"),
            *skipped("no database"),
        ]
    if not database.exists():
        return [
            Check(
                "database",
                "fail",
                f"no database at {database}",
                "import a plan (duban import FILE), or start the bot (duban run) to create it",
            ),
            *skipped("no database"),
        ]
    restore_fix = "stop the bot, then restore the last good backup: duban restore FILE"
    if _head(database) != _SQLITE_MAGIC:
        return [
            Check("database", "fail", f"{database} is not an SQLite database", restore_fix),
            *skipped("not a database"),
        ]
    try:
        with _open_quietly(database) as conn:
            problem = _integrity(conn, "quick_check" if options.quick else "integrity_check")
            try:
                duban = _is_duban(conn)
                facts = _facts(conn, database) if duban else None
                schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
                journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                active = (
                    conn.execute("SELECT DISTINCT year FROM plans WHERE active") if duban else []
                )
                years = sorted(int(r[0]) for r in active)
            except sqlite3.DatabaseError as e:
                if problem == "ok":
                    problem = str(e)
                return [
                    Check("database", "fail", f"{database}: {e}", restore_fix),
                    Check("integrity", "fail", problem, restore_fix),
                    *skipped("the database cannot be read")[1:],
                ]
    except sqlite3.DatabaseError as e:  # pragma: no cover - opening reads nothing yet
        return [Check("database", "fail", f"{database}: {e}", restore_fix), *skipped(str(e))]
    if facts is None:
        return [
            Check(
                "database",
                "fail",
                f"{database} is not a duban database",
                "point DUBAN_DATABASE at duban's database",
            ),
            *skipped("not a duban database"),
        ]
    running = bot_running(database)
    checks = [
        Check(
            "database",
            "ok",
            f"{database} ({_size(facts.size)}, {_n(facts.plans, 'plan')},"
            f" {_n(facts.items, 'item')}, {_n(facts.reports, 'report')};"
            f" {running or 'no bot'} running on it)",
        )
    ]
    checks.append(
        Check("integrity", "ok", "ok (quick_check)" if options.quick else "ok")
        if problem == "ok"
        else Check("integrity", "fail", problem, restore_fix)
    )
    latest = latest_version(MIGRATIONS)
    if schema == latest:
        checks.append(Check("schema", "ok", f"version {schema}, current"))
    elif schema < latest:
        checks.append(
            Check(
                "schema",
                "fail",
                f"version {schema}, this duban's is {latest}",
                "run any duban command on it once (e.g. duban plans): migrations run at open",
            )
        )
    else:
        checks.append(
            Check(
                "schema",
                "fail",
                f"version {schema} is newer than this duban knows ({latest})",
                "upgrade duban",
            )
        )
    checks.append(
        Check("journal", "ok", "WAL")
        if journal == "wal"
        else Check(
            "journal",
            "fail",
            f"{journal}, not WAL: the bot's readers and writers would block each other",
            "open it with duban once (e.g. duban plans): duban switches it to WAL",
        )
    )
    checks.append(_calendar_check(years))
    return checks


@contextlib.contextmanager
def _open_quietly(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection that writes nothing (query_only), for looking at a live database."""
    conn = _connect(database)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        conn.close()


def _calendar_check(years: list[int]) -> Check:
    """chinesecalendar must know every plan year: else holidays and 调休 are not counted."""
    import chinese_calendar

    if not years:
        return Check("working days", "skip", "no plan stored yet")
    unknown: list[str] = []
    for year in years:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            chinese_calendar.is_workday(date(year, 12, 31))
        except NotImplementedError as e:
            unknown.append(f"{year} ({e})")
    version = getattr(chinese_calendar, "__version__", "?")
    shown = "、".join(str(y) for y in years)
    if not unknown:
        return Check("working days", "ok", f"chinesecalendar {version} knows plan years {shown}")
    return Check(
        "working days",
        "fail",
        f"chinesecalendar {version} does not know {'; '.join(unknown)}: nudges would count"
        " Monday–Friday, without the holidays and 调休",
        "pip install -U chinesecalendar (a new year comes out once the State Council publishes"
        " it, usually in November), or correct the plan's year",
    )


def _disk_check(database: Path, min_free_mb: int) -> Check:
    folder = database.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError as e:
        return Check("disk", "fail", f"cannot read the free space of {folder}: {e}", "")
    detail = f"{free / 1024**3:.1f} GB free in {folder}"
    if free >= min_free_mb * 1024 * 1024:
        return Check("disk", "ok", detail)
    return Check(
        "disk",
        "fail",
        f"{free / 1024**2:.0f} MB free in {folder}, under {min_free_mb} MB",
        "free some space: SQLite needs room for its WAL, checkpoints and backups",
    )


def _font_check() -> Check:
    from render.chart import find_cjk_font

    font = find_cjk_font()
    if font is not None:
        return Check("CJK font", "ok", str(font))
    return Check(
        "CJK font",
        "fail",
        "none found: the digest chart labels units #1…#n and prints a legend",
        "apt-get install fonts-noto-cjk (or pip install cvttf-notosanscjk-regular)",
    )


def _redact(text: str, token: str) -> str:
    return re.sub(re.escape(token), "<token>", text, flags=re.IGNORECASE) if token else text


def _api_check(settings: Settings, timeout: float) -> Check:
    """getMe at DUBAN_BOT_API_URL: reachable, and the token accepted. Never prints the token."""
    import httpx

    url = settings.bot_api_url
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else ""
    if not token:
        return Check("Bot API", "skip", "not checked: DUBAN_BOT_TOKEN is not set")
    started = time.monotonic()
    try:
        response = httpx.get(f"{url}/bot{token}/getMe", timeout=timeout)
    except httpx.TimeoutException:
        return Check(
            "Bot API",
            "fail",
            f"no answer from {url} within {timeout:g} s",
            "check the network (a proxy? Telegram blocked here?) or DUBAN_BOT_API_URL",
        )
    except httpx.HTTPError as e:
        return Check(
            "Bot API",
            "fail",
            f"cannot reach {url}: {_redact(str(e) or type(e).__name__, token)}",
            "check the network (a proxy? Telegram blocked here?) or DUBAN_BOT_API_URL",
        )
    ms = (time.monotonic() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 401:
        return Check(
            "Bot API",
            "fail",
            f"{url} refused DUBAN_BOT_TOKEN (401 Unauthorized)",
            "copy the token again from @BotFather (/mybots → API Token)",
        )
    if response.status_code == 404:
        return Check(
            "Bot API",
            "fail",
            f"{url} answered 404 Not Found to getMe",
            "check DUBAN_BOT_TOKEN (it looks like 123456:ABC-…) and DUBAN_BOT_API_URL",
        )
    if not (isinstance(body, dict) and body.get("ok") and isinstance(body.get("result"), dict)):
        description = body.get("description", "") if isinstance(body, dict) else ""
        return Check(
            "Bot API",
            "fail",
            f"{url} answered {response.status_code} {_redact(str(description), token)}".rstrip(),
            "try again later; if it persists, check DUBAN_BOT_API_URL",
        )
    username = body["result"].get("username", "?")
    return Check("Bot API", "ok", f"@{username} at {url}, answered in {ms:.0f} ms")


def _schedule_check(settings: Settings) -> Check:
    """The hours and days in the settings make a schedule that can send something."""
    from services.core import policy_from

    s = settings
    problems: list[tuple[str, str]] = []
    if s.send_hour >= s.quiet_from:
        problems.append(
            (
                f"nudges could never go out: DUBAN_SEND_HOUR={s.send_hour} is not before"
                f" DUBAN_QUIET_FROM={s.quiet_from}",
                "set DUBAN_SEND_HOUR earlier than DUBAN_QUIET_FROM (defaults 9 and 21)",
            )
        )
    if s.digest_hour >= s.quiet_from:
        problems.append(
            (
                f"the weekly digest could never go out: DUBAN_DIGEST_HOUR={s.digest_hour} is in"
                f" the quiet hours from DUBAN_QUIET_FROM={s.quiet_from}",
                "set DUBAN_DIGEST_HOUR earlier than DUBAN_QUIET_FROM",
            )
        )
    if s.cycle == "weekly" and s.cycle_day > 7:
        problems.append(
            (
                f"DUBAN_CYCLE=weekly takes an ISO weekday, DUBAN_CYCLE_DAY={s.cycle_day} is not",
                "set DUBAN_CYCLE_DAY to 1 (Monday) … 7 (Sunday)",
            )
        )
    window = (s.quiet_from - s.send_hour) * 60
    if s.scheduler and 0 < window < s.pass_minutes:
        problems.append(
            (
                f"a pass every {s.pass_minutes} minutes can miss the {window}-minute window"
                f" from {s.send_hour}:00 to {s.quiet_from}:00",
                "lower DUBAN_PASS_MINUTES or widen the hours",
            )
        )
    if not problems:
        try:
            policy_from(settings)
        except ValueError as e:
            problems.append((str(e), "correct the schedule settings (README, Settings)"))
    if problems:
        return Check(
            "schedule",
            "fail",
            "; ".join(p for p, _ in problems),
            "; ".join(f for _, f in problems),
        )
    days = "/".join(str(d) for d in s.nudge_days) or "no"
    cycle = {
        "monthly": f"progress requests monthly on the {s.cycle_day}th",
        "weekly": f"progress requests weekly on ISO weekday {s.cycle_day}",
        "off": "no progress requests",
    }[s.cycle]
    runner = "" if s.scheduler else "; DUBAN_SCHEDULER=off: cron must run duban send-due"
    return Check(
        "schedule",
        "ok",
        f"nudges {s.send_hour:02d}:00–{s.quiet_from:02d}:00 on working days, {days} days before"
        f" deadlines, {cycle}, digest on ISO weekday {s.digest_day} at {s.digest_hour:02d}:00"
        + runner,
    )


def cmd_doctor(
    args: argparse.Namespace, out: TextIO, settings_loader: Callable[[], Settings]
) -> int:
    """`duban doctor [--quick] [--json]`: one line per check; 0 only when none failed."""
    try:
        settings: Settings | SettingsError = settings_loader()
    except SettingsError as e:
        settings = e
    options = DoctorOptions(quick=args.quick, timeout=args.timeout, min_free_mb=args.min_free_mb)
    checks = doctor(settings, options)
    ok = all(c.status != "fail" for c in checks)
    if args.json:
        json.dump({"ok": ok, "checks": [asdict(c) for c in checks]}, out, ensure_ascii=False)
        out.write("\n")
    else:
        for c in checks:
            print(c.line(), file=out)
    return 0 if ok else 1
