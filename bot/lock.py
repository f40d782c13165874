"""The database's lock: who runs on the database — a bot (`duban run`), a nudge pass (`duban
send-due`), a restore (`duban restore`) — and `duban doctor`'s look at whether a bot does.

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
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from bot.errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no record locks: duban runs unlocked there
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"
_BOT_BYTE = 0  # exclusive: duban run
_USE_BYTE = 1  # shared: duban run, duban send-due; exclusive with byte 0: duban restore
_PATIENCE = 0.5  # seconds a command waits for the lock before it is refused

Command = Literal["run", "send-due", "restore"]


def lock_path(database: Path) -> Path:
    """The lock file beside `database`: `duban.db` → `duban.db.lock`."""
    return database.with_name(database.name + LOCK_SUFFIX)


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
