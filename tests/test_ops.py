"""`duban backup`, `duban restore`, `duban doctor` and the database lock, as a deployment uses
them: against a `duban run` process talking to the Bot API sandbox while a contact reports."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from bot import dbfile, lock, ops
from bot.cli import main
from bot.errors import UserError
from sandbox import BotApiSandbox
from storage import Database
from storage.migrations import MIGRATIONS, Migration, latest_version
from tests.test_run import duban_here

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-plan.txt"
TOKEN = "778000:OPS-secret_token_value"
ADMIN = 4343


def env_for(tmp_path: Path, root: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_DATABASE=str(tmp_path / "data" / "duban.db"),
        DUBAN_BOT_API_URL=root,
        DUBAN_ADMIN_IDS=str(ADMIN),
        DUBAN_BOT_TOKEN=TOKEN,
    )
    env.update(extra)
    return env


async def duban(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`duban ARGS` as a process: exit status, stdout, stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- with a bot


async def test_backup_while_the_bot_stores_reports_restore_once_it_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        # unpaced private chats, as the sandbox has no per-chat limit here: the reports that
        # the backup runs among waited a second each for Telegram's 1 a second
        env = env_for(tmp_path, sb.root, DUBAN_SCHEDULER="off", DUBAN_CHAT_RATE="0")
        db = Path(env["DUBAN_DATABASE"])
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("DUBAN_DATABASE", str(db))
        assert await asyncio.to_thread(main, ["import", str(SAMPLE)]) == 0
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        stop = asyncio.Event()
        confirmed: list[int] = []
        try:
            admin = sb.create_user("办公室", user_id=ADMIN)
            await sb.wait_for(lambda: sb.calls_to("getMe") or None, timeout=30, what="start-up")
            admin.send_text("/invite 局高新处")
            answer = await sb.wait_for_message(ADMIN, timeout=30)
            link = re.search(r"https://t\.me/\S+\?start=[\w-]+", answer["text"] or "")
            assert link, answer["text"]
            contact = sb.create_user("高联络")
            contact.open_link(link.group(0))
            await sb.wait_for_message(contact.id, timeout=30)  # welcome

            async def report(k: int) -> None:
                sent = contact.send_text(f"/report 4 推进中,完成{k % 90 + 1}%")
                await sb.wait_for_message(
                    contact.id,
                    lambda m: "已记录" in (m["text"] or ""),  # not the nudge send-due sends
                    timeout=30,
                    after=sent["message_id"],
                )
                confirmed.append(k)  # the bot confirms after it stored the report

            async def keep_reporting() -> None:
                while not stop.is_set():
                    await report(len(confirmed) + 1)

            reporter = asyncio.create_task(keep_reporting())
            await sb.wait_for(lambda: len(confirmed) >= 5 or None, timeout=30, what="reports")
            stored_before = len(confirmed)

            # a backup while the bot is storing reports
            copy = tmp_path / "backups" / "duban-copy.db"
            copy.parent.mkdir()
            code, out, err = await duban("backup", str(copy), env=env, cwd=tmp_path)
            assert code == 0, err
            assert out.count("\n") == 1 and str(copy) in out and "integrity ok" in out
            assert re.search(r"schema version \d+, 12 items, \d+ reports", out), out
            in_copy = count(copy, "reports")
            assert in_copy >= stored_before
            assert f"{in_copy} reports" in out
            assert integrity(copy) == "ok"
            assert not list(copy.parent.glob(".*")), "no temporary file left"
            stop.set()
            await reporter

            # while the bot runs, a restore is refused with one line (nothing moved), and so is
            # a second bot on the same database, at once, before it polls (these and the rest
            # beside the bot by the same `main` in this process: the lock is the bot process's,
            # and as it is held throughout, waiting half a second for it changes nothing)
            monkeypatch.setattr(lock, "_PATIENCE", 0.05)
            code, out, err = await duban_here("restore", str(copy), env=env, cwd=tmp_path)
            code2, _, err2 = await duban_here("run", env=env, cwd=tmp_path)
            assert code == 2 and out == ""
            assert err.count("\n") == 1 and "a bot is running" in err and f"pid {bot.pid}" in err
            assert not list(db.parent.glob("*before-restore*"))
            assert code2 == 2 and err2.count("\n") == 1
            assert "already running" in err2 and "409" in err2 and f"pid {bot.pid}" in err2

            # cron's nudge pass runs alongside the bot (DUBAN_SCHEDULER=off)
            code, out, err = await duban_here(
                "send-due", "--at", "2026-12-17T09:30", env=env, cwd=tmp_path
            )
            assert code == 0, err

            for _ in range(2):  # reports the backup does not hold
                await report(len(confirmed) + 1)
        finally:
            stop.set()
            # killed, not stopped: the bot's last writes are still in its WAL
            bot.kill()
            await asyncio.wait_for(bot.communicate(), timeout=30)
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0  # what a restore must not leave beside the restored file

    code, out, err = await duban_here("restore", str(copy), env=env, cwd=tmp_path)
    assert code == 0, err
    assert out.count("\n") == 1 and "Restored" in out and f"{in_copy} reports" in out
    kept = list(db.parent.glob("duban.db.before-restore-*"))
    assert len(kept) == 1 and re.fullmatch(r"duban\.db\.before-restore-\d{8}-\d{6}", kept[0].name)
    assert str(kept[0]) in out
    # the old database, WAL included, is beside the restored one, whole
    assert count(kept[0], "reports") >= len(confirmed) > in_copy
    assert integrity(kept[0]) == "ok"
    # the restored database holds exactly the backup's data, and no stale WAL came with it
    assert not wal.exists() or wal.stat().st_size == 0
    assert integrity(db) == "ok"
    assert count(db, "reports") == in_copy
    conn = sqlite3.connect(copy)
    want = conn.execute("SELECT id, text FROM reports ORDER BY id").fetchall()
    conn.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, text FROM reports ORDER BY id").fetchall() == want
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


# ---------------------------------------------------------------------------- backup, restore


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with the sample plan, imported by `duban import`; the CLI runs in-process."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("DUBAN_")]:
        monkeypatch.delenv(key)
    db = tmp_path / "data" / "duban.db"
    monkeypatch.setenv("DUBAN_DATABASE", str(db))
    assert main(["import", str(SAMPLE)]) == 0
    return db


def one_line_refusal(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("duban: "), err
    assert "Traceback" not in err
    return err


def test_restore_refuses_what_is_not_a_sound_duban_database(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    before = digest(stored)
    files = {p.name for p in stored.parent.iterdir()}

    text = tmp_path / "notes.db"
    text.write_text("局高新处 完成60%\n" * 100, encoding="utf-8")
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(stored.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    empty = tmp_path / "empty.db"
    empty.touch()

    reasons = {
        text: "not an SQLite database",
        truncated: "damaged",
        foreign: "not duban's",
        newer: "newer than this duban",
        fifo: "not a regular file",
        tmp_path: "not a regular file",
        empty: "not an SQLite database",
        tmp_path / "missing.db": "cannot read",
    }
    for path, reason in reasons.items():
        err = one_line_refusal(capsys, ["restore", str(path)])
        assert reason in err, err
        assert digest(stored) == before
        assert {p.name for p in stored.parent.iterdir()} - {"duban.db.lock"} == files


def test_backup_refuses_to_overwrite_and_restores_an_older_schema(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    target = tmp_path / "b.db"
    target.write_text("an older backup")
    err = one_line_refusal(capsys, ["backup", str(target)])
    assert "--force" in err and target.read_text() == "an older backup"
    assert main(["backup", "--force", str(target)]) == 0
    assert "12 items" in capsys.readouterr().out and integrity(target) == "ok"

    assert "is a folder" in one_line_refusal(capsys, ["backup", str(tmp_path)])
    assert "no folder" in one_line_refusal(capsys, ["backup", str(tmp_path / "x" / "b.db")])
    err = one_line_refusal(capsys, ["--database", str(tmp_path / "none.db"), "backup", "c.db"])
    assert "no database" in err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "c.db").exists()

    # a backup from an older duban: restored as it is, upgraded when duban next opens it
    older = tmp_path / "older.db"
    asyncio.run(make_database(older, MIGRATIONS[:4]))
    assert main(["restore", str(older)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"schema version 4, 0 items, 0 reports \(upgraded to \d+ when", out), out
    assert main(["plans"]) == 0  # the migrations ran, on the file restored
    conn = sqlite3.connect(stored)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version(MIGRATIONS)
    conn.close()


async def make_database(path: Path, migrations: Sequence[Migration]) -> None:
    await (await Database.open(path, migrations=migrations)).close()


SQLITE_DONE = 101


@pytest.mark.parametrize(
    "write",
    [
        # the same pages: each restart ends where the one before did
        "UPDATE meta SET value = value + 1 WHERE key = 'people_version'",
        # more pages at each write
        "INSERT INTO meta (key, value) VALUES (hex(randomblob(8)), randomblob(3000))",
    ],
    ids=["update", "grow"],
)
def test_backup_finishes_when_every_step_is_overtaken_by_writes(
    stored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """Another connection writes between every two steps, so SQLite starts the copy again at
    every step: after BACKUP_RESTARTS restarts the next one ends the steps, and the rest is
    copied in one step, under one read snapshot; the copy is sound and holds every write."""
    monkeypatch.setattr(ops, "BACKUP_PAGES", 2)
    monkeypatch.setattr(ops, "BACKUP_PAUSE", 0.0)
    limit = 50  # steps; the backup asks for at most BACKUP_RESTARTS + 3
    steps: list[tuple[int, int, int, int]] = []  # pages asked, status, remaining, total
    writer = sqlite3.connect(stored, isolation_level=None)

    class Overtaken(sqlite3.Connection):
        """The source: after each step (and what ops makes of it), the writer writes."""

        def backup(
            self,
            target: sqlite3.Connection,
            *,
            pages: int = -1,
            progress: Callable[[int, int, int], object] | None = None,
            name: str = "main",
            sleep: float = 0.25,
        ) -> None:
            assert progress is not None

            def step(status: int, remaining: int, total: int) -> None:
                steps.append((pages, status, remaining, total))
                assert len(steps) < limit, f"the backup is still going after {limit} steps"
                progress(status, remaining, total)
                if remaining:
                    writer.execute(write)

            super().backup(target, pages=pages, progress=step, name=name, sleep=sleep)

    def connect(path: Path) -> sqlite3.Connection:
        return sqlite3.connect(
            path, timeout=dbfile.BUSY_TIMEOUT, isolation_level=None, factory=Overtaken
        )

    monkeypatch.setattr(ops, "connect", connect)
    query = "SELECT key, value FROM meta ORDER BY key"
    before = writer.execute(query).fetchall()
    try:
        result = ops.backup(stored, tmp_path / "copy.db")
    finally:
        writer.close()
    in_steps = [s for s in steps if s[0] == ops.BACKUP_PAGES]
    in_one = [s for s in steps if s[0] == -1]
    assert len(in_steps) == ops.BACKUP_RESTARTS + 2  # the first step, then restarts
    # each step after the first began again at page 1: the writes overtook every one
    assert [total - remaining for _, _, remaining, total in in_steps] == [2] * len(in_steps)
    assert result.restarts == ops.BACKUP_RESTARTS + 1
    assert [status for _, status, _, _ in in_one] == [SQLITE_DONE]
    assert steps == in_steps + in_one
    assert integrity(tmp_path / "copy.db") == "ok"
    with contextlib.closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
        copied = copy.execute(query).fetchall()
    with contextlib.closing(sqlite3.connect(stored)) as conn:
        assert copied == conn.execute(query).fetchall() != before


# ---------------------------------------------------------------------------- doctor


@pytest.fixture
def doctor_env(stored: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("DUBAN_BOT_TOKEN", TOKEN)
    yield monkeypatch


async def run_doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    """`duban doctor` in a thread, so the sandbox in this loop can answer it."""
    capsys.readouterr()
    started = time.monotonic()
    code = await asyncio.to_thread(main, ["doctor", *args])
    assert time.monotonic() - started < 10, "doctor must not hang"
    out, err = capsys.readouterr()
    assert err == "" and TOKEN not in out and TOKEN.lower() not in out.lower()
    return code, out.splitlines()


def line(lines: list[str], name: str) -> str:
    found = [ln for ln in lines if ln[2:].startswith(name + ":")]
    assert len(found) == 1, lines
    return found[0]


async def test_doctor_all_green_as_a_process(stored: Path, tmp_path: Path) -> None:
    async with BotApiSandbox(token=TOKEN) as sb:
        env = env_for(tmp_path, sb.root, DUBAN_DATABASE=str(stored))
        code, out, err = await duban("doctor", env=env, cwd=tmp_path)
        lines = out.splitlines()
        assert code == 0, out + err
        names = [ln[2:].split(":")[0] for ln in lines]
        assert names == ["settings", "database", "integrity", "schema", "journal",
                         "working days", "disk", "CJK font", "Bot API", "schedule"]  # fmt: skip
        assert all(ln.startswith("✓ ") for ln in lines), out
        assert "@duban_test_bot" in line(lines, "Bot API") and TOKEN not in out + err
        assert "no bot running" in line(lines, "database")
        assert sb.calls_to("getMe")


async def test_doctor_names_each_failure_and_its_fix(
    doctor_env: pytest.MonkeyPatch, stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = doctor_env
    async with BotApiSandbox(token=TOKEN) as sb:
        env.setenv("DUBAN_BOT_API_URL", sb.root)
        code, lines = await run_doctor(capsys, "--json")
        assert code == 0 and '"ok": true' in lines[0]

        env.setenv("DUBAN_BOT_TOKEN", "778000:revoked-token_value")
        code, lines = await run_doctor(capsys)
        assert code == 1
        assert line(lines, "Bot API").startswith("✗") and "401" in line(lines, "Bot API")
        assert "fix: copy the token again from @BotFather" in line(lines, "Bot API")
        assert all(ln.startswith("✓") for ln in lines if "Bot API" not in ln)
        env.setenv("DUBAN_BOT_TOKEN", TOKEN)

        sb.set_latency(30, "getMe")
        code, lines = await run_doctor(capsys, "--timeout", "0.2")
        assert code == 1 and "no answer from" in line(lines, "Bot API")
        code, lines = await run_doctor(capsys, "--quick")  # the health check: no network
        assert code == 0 and line(lines, "Bot API").startswith("– Bot API: not checked")
        sb.clear_faults()

    code, lines = await run_doctor(capsys)  # the sandbox is gone
    assert code == 1 and "cannot reach" in line(lines, "Bot API")
    assert "fix: check the network" in line(lines, "Bot API")

    env.delenv("DUBAN_BOT_TOKEN")
    code, lines = await run_doctor(capsys)
    assert code == 0 and "DUBAN_BOT_TOKEN is not set" in line(lines, "Bot API")

    code, lines = await run_doctor(capsys, "--min-free-mb", str(10**12))
    assert code == 1 and "fix: free some space" in line(lines, "disk")

    env.setenv("DUBAN_DIGEST_HOUR", "22")
    code, lines = await run_doctor(capsys)
    # the settings refuse a digest in the quiet hours: doctor shows it on the settings line
    assert code == 1 and "DUBAN_DIGEST_HOUR (22)" in line(lines, "settings")
    env.setenv("DUBAN_SEND_HOUR", "21")
    code, lines = await run_doctor(capsys)
    assert code == 1
    assert any(ln.startswith("✗") and "DUBAN_SEND_HOUR" in ln for ln in lines), lines
    env.delenv("DUBAN_DIGEST_HOUR")
    env.delenv("DUBAN_SEND_HOUR")

    env.setenv("DUBAN_TIMEZONE", "Mars/Olympus")
    code, lines = await run_doctor(capsys)
    assert code == 1 and lines[0].startswith("✗ settings: DUBAN_TIMEZONE")
    assert "fix:" in lines[0]
    env.delenv("DUBAN_TIMEZONE")

    # a plan of a year chinesecalendar does not know
    plan = tmp_path / "plan-2099.txt"
    plan.write_text(SAMPLE.read_text(encoding="utf-8").replace("2026", "2099"), encoding="utf-8")
    assert await asyncio.to_thread(main, ["import", str(plan)]) == 0
    code, lines = await run_doctor(capsys)
    assert code == 1
    assert line(lines, "working days").startswith("✗") and "2099" in line(lines, "working days")
    assert "fix: pip install -U chinesecalendar" in line(lines, "working days")

    # a damaged database: a page's cell pointers overwritten
    damaged = tmp_path / "damaged.db"
    assert await asyncio.to_thread(main, ["backup", str(damaged)]) == 0
    conn = sqlite3.connect(damaged)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with damaged.open("r+b") as f:
        f.seek((root - 1) * size + 8)
        f.write(b"\xee" * 40)
    env.setenv("DUBAN_DATABASE", str(damaged))
    code, lines = await run_doctor(capsys)
    assert code == 1
    assert line(lines, "integrity").startswith("✗")
    assert "fix: stop the bot, then restore the last good backup" in line(lines, "integrity")

    damaged.write_bytes(b"<html>not a database</html>")
    code, lines = await run_doctor(capsys)
    assert code == 1 and "not an SQLite database" in line(lines, "database")
    assert line(lines, "integrity").startswith("– ")


def _system_cjk_font() -> bool:
    from matplotlib.font_manager import fontManager

    from render.chart import CJK_FAMILIES

    wanted = [f.casefold() for f in CJK_FAMILIES]
    return any(w in e.name.casefold() for e in fontManager.ttflist for w in wanted)


@pytest.mark.skipif(_system_cjk_font(), reason="this system has a CJK font of its own")
async def test_doctor_without_a_cjk_font(stored: Path, tmp_path: Path) -> None:
    """No system CJK font here; the fallback package shadowed by an empty one of its name."""
    shadow = tmp_path / "shadow" / "cvttf_NotoSansCJK_Regular"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    env = env_for(tmp_path, "http://127.0.0.1:9", DUBAN_DATABASE=str(stored))
    env["PYTHONPATH"] = os.pathsep.join([str(shadow.parent), str(Path.cwd())])
    code, out, err = await duban("doctor", "--quick", env=env, cwd=tmp_path)
    assert code == 1, out + err
    font = line(out.splitlines(), "CJK font")
    assert font.startswith("✗") and "fix: apt-get install fonts-noto-cjk" in font


HOLD = """
import sys
from pathlib import Path
from bot import lock
with lock.hold_database(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""
ROOT = Path(__file__).resolve().parents[1]


def test_who_may_use_the_database_at_once(
    stored: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock as each command takes it, held by another process: a nudge pass and a bot
    coexist; a restore excludes both, and they exclude it."""
    import subprocess

    def hold(command: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(stored), command], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        return proc

    def release(proc: subprocess.Popen[str]) -> None:
        proc.communicate("", timeout=10)
        assert proc.returncode == 0

    capsys.readouterr()
    backup = stored.with_name("b.db")
    assert main(["backup", str(backup)]) == 0
    capsys.readouterr()
    # the lock is held by another process each time: waiting for it changes nothing
    monkeypatch.setattr(lock, "_PATIENCE", 0.05)

    pass_running = hold("send-due")
    try:
        assert "send-due is running" in one_line_refusal(capsys, ["restore", str(backup)])
        with lock.hold_database(stored, "run"):  # the bot starts beside cron's pass
            pass
        assert lock.bot_running(stored) is None
    finally:
        release(pass_running)

    bot = hold("run")
    try:
        assert lock.bot_running(stored) == f"duban run, pid {bot.pid}"
        with lock.hold_database(stored, "send-due"):  # cron's pass beside the bot
            pass
    finally:
        release(bot)
    assert lock.bot_running(stored) is None  # gone with its process

    restoring = hold("restore")
    try:
        for command in ("run", "send-due"):
            with (
                pytest.raises(UserError, match=r"restore of .* is in progress"),
                lock.hold_database(stored, command),  # type: ignore[arg-type]
            ):
                pass
    finally:
        release(restoring)
    assert main(["restore", str(backup)]) == 0
