"""`duban run` and `duban send-due` as processes, the way README and cron start them."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
from pathlib import Path

from bot.cli import main
from sandbox import BotApiSandbox
from services.logs import reset_logging

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-plan.txt"
TOKEN = "777000:RUN-secret_token_value"


def env_for(tmp_path: Path, root: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_DATABASE=str(tmp_path / "duban.db"),
        DUBAN_BOT_API_URL=root,
        DUBAN_ADMIN_IDS="4242",
        DUBAN_BOT_TOKEN=TOKEN,
        **extra,
    )
    return env


async def duban(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def duban_here(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`duban ARGS` as `bot.cli.main` (what the console script calls) in a thread of this
    process, with `env` for its environment: exit status, stdout, stderr. For the checks beside
    a process of the same command, which need no second one (starting one costs 1.5 s of CPU)."""

    def call() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            reset_logging()
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
        return code, out.getvalue(), err.getvalue()

    return await asyncio.to_thread(call)


async def import_sample(env: dict[str, str], *args: str) -> None:
    """`duban import` of the sample plan into `env`'s database, as set-up: in this process (the
    processes under test here are `run` and `send-due`; `import` runs as one in test_cli.py)."""
    argv = ["--database", env["DUBAN_DATABASE"], "import", str(SAMPLE), *args]
    assert await asyncio.to_thread(main, argv) == 0


async def start_run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """`duban run` as a process, its output captured; the caller stops it with SIGTERM."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_run_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    """By `main` in this process: a `duban run` process that stops at its settings is
    test_webhook's (no webhook secret)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    code, _, err = await duban_here("run", env=env, cwd=tmp_path)
    assert code == 2
    assert "DUBAN_BOT_TOKEN is not set" in err and "@BotFather" in err
    assert "Traceback" not in err


async def test_run_answers_chats_and_stops_cleanly(tmp_path: Path) -> None:
    """`duban run` answers chats -- an admin's /invite, and the links `duban invite` printed (a
    unit's as a process, a coordinator's by the same `main` in this process, both while the bot
    starts) -- and stops cleanly on SIGTERM."""
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        env = env_for(tmp_path, sb.root, DUBAN_SCHEDULER="on")
        await import_sample(env)
        proc = await start_run(env, tmp_path)
        try:
            links = {}
            for target, invite in (("局高新处", duban), ("coordinator", duban_here)):
                code, out, err = await invite("invite", target, env=env, cwd=tmp_path)
                assert code == 0, err
                links[target] = next(line for line in out.splitlines() if "?start=" in line)
            code, _, err = await duban_here("invite", "不存在的单位", env=env, cwd=tmp_path)
            assert code == 2 and "unknown unit" in err

            admin = sb.create_user("办公室", user_id=4242)
            await sb.wait_for(lambda: sb.calls_to("getMe") or None, timeout=30, what="start-up")
            admin.send_text("/invite 局高新处")
            answer = await sb.wait_for_message(4242, timeout=30)
            assert "?start=" in (answer["text"] or "")
            for target, link in links.items():
                user = sb.create_user(f"新人{target}")
                user.open_link(link.strip())
                welcome = await sb.wait_for_message(user.id, timeout=30)
                assert "欢迎" in (welcome["text"] or ""), (target, welcome["text"])
            # menus were set at start-up
            assert sb.calls_to("setMyCommands")
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err_bytes = await asyncio.wait_for(proc.communicate(), timeout=30)
        logs = err_bytes.decode()
        assert proc.returncode == 0, logs
        assert TOKEN not in logs  # the token never reaches the logs
        assert "running as @duban_test_bot" in logs


async def test_send_due_replays_a_date_and_reports_unreachable_api(tmp_path: Path) -> None:
    # the API is gone: the pass could not run → non-zero, one line, no token (a process of its
    # own, on a database of its own, beside the rest)
    offline = tmp_path / "offline"
    offline.mkdir()
    closed = env_for(offline, "http://127.0.0.1:9")
    unreachable = asyncio.create_task(
        duban("send-due", "--at", "2026-12-17T09:30", env=closed, cwd=offline)
    )
    async with BotApiSandbox(token=TOKEN) as sb:
        env = env_for(tmp_path, sb.root)
        await import_sample(env, "--at", "2026-02-12T10:00")
        code, out, err = await duban("send-due", "--at", "2026-12-17T09:30", env=env, cwd=tmp_path)
        assert code == 0, err
        assert "2026-12-17 09:30" in out and "no contact yet" in out
        # the same command in this process: a Saturday, and a date it cannot read
        code, out, _ = await duban_here(
            "send-due", "--at", "2026-12-19T10:00", env=env, cwd=tmp_path
        )
        assert code == 0 and "no pass" in out  # a Saturday
        code, out, err = await duban_here("send-due", "--at", "yesterday", env=env, cwd=tmp_path)
        assert code == 2 and "--at" in err
    code, out, err = await unreachable
    assert code == 1
    assert "cannot reach the Bot API" in err and TOKEN not in err + out
    assert "Traceback" not in err
