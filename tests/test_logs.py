"""Logs: the token never reaches stderr, whatever fails; one line per event; a retry is one line.

Every error path is a named scenario fed a distinctive mixed-case token, and its stderr (and
stdout) is searched for the token in any case and URL-encoded. Error pages that echo the
request path come from `Proxy`, a small reverse proxy in front of the sandbox that answers
chosen requests like a misconfigured nginx/Apache would. Where the path was echoed, the test
also requires the redaction mark in the output: it shows the token did come back and was
removed, so a scenario that stopped producing its error cannot pass unnoticed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import pytest
from aiohttp import ClientSession, ClientTimeout, web
from pydantic import SecretStr
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.app import build_application, running
from bot.cli import main
from config import Settings
from handlers.sender import TelegramSender
from plans.documents.sources import parse_file
from sandbox import BotApiSandbox
from services.core import Services
from services.digests import send_digest
from services.logs import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    print_crash,
    reset_logging,
)
from services.redaction import RedactingFormatter, Redactor
from storage import Database, import_plan
from tests.e2e_support import SEED_000, TZ, Clock, World

# Shaped like a real token (10-digit bot id, 35-character secret), in mixed case.
TOKEN = "6021733859:AbCdEfGhIjKlMnOpQrStUvWxYz-_0123456"
OTHER = "6021733859:ZyXwVuTsRqPoNmLkJiHgFeDcBa_-9876543"  # a token the Bot API refuses
ADMIN_ID = 9001
MARK = "<token>"
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-plan.txt"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def leaks(text: str, token: str = TOKEN) -> list[str]:
    """How `token` shows in `text`: as is, in another case, URL-encoded, or its secret part
    (whole, or a 12-character piece of it, as a line clipped through the token leaves)."""
    secret = token.partition(":")[2]
    low = text.lower()
    found = []
    if token in text:
        found.append("verbatim")
    elif token.lower() in low:
        found.append("in another case")
    if quote(token, safe="").lower() in low:
        found.append("URL-encoded")
    if not found and secret.lower() in low:
        found.append("its secret part")
    pieces = {secret[k : k + 12].lower() for k in range(len(secret) - 11)}
    if not found and any(piece in low for piece in pieces):
        found.append("a piece of its secret")
    return found


# ---------------------------------------------------------------------------- the proxy

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(status: int) -> Answer:
    """An Apache/nginx error page that echoes the request path, as HTML."""

    async def answer(request: web.Request) -> web.StreamResponse:
        phrase = HTTPStatus(status).phrase
        body = (
            f'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n'
            f"<title>{status} {phrase}</title>\r\n</head><body>\r\n<h1>{phrase}</h1>\r\n"
            f'<p>The proxy could not handle the request <em><a href="{request.raw_path}">'
            f"{request.method}&nbsp;{request.raw_path}</a></em>.</p>\r\n<hr>\r\n"
            f"<address>Apache/2.4.58 (Ubuntu) Server at {request.host}</address>\r\n"
            "</body></html>\r\n"
        )
        return web.Response(text=body, status=status, content_type="text/html")

    return answer


def login_page() -> Answer:
    """A captive portal's 200 login page, with the requested URL URL-encoded in its links."""

    async def answer(request: web.Request) -> web.StreamResponse:
        url = quote(f"http://{request.host}{request.raw_path}", safe="")
        body = (
            "<html><head><title>Wi-Fi login</title></head><body>\n"
            f'<a href="http://portal.example/login?next={url}">Log in to continue</a>\n'
            "</body></html>\n"
        )
        return web.Response(text=body, status=200, content_type="text/html")

    return answer


def described(status: int, shape: Callable[[str], str] = str) -> Answer:
    """A Bot-API-shaped JSON error whose description echoes the request URL, shaped."""

    async def answer(request: web.Request) -> web.StreamResponse:
        url = shape(f"http://{request.host}{request.raw_path}")
        body = {
            "ok": False,
            "error_code": status,
            "description": f"{HTTPStatus(status).phrase}: upstream failed for {url}",
        }
        return web.json_response(body, status=status)

    return answer


def lower(text: str) -> str:
    return text.lower()


def encoded(text: str) -> str:
    return quote(text, safe="")


async def no_updates(request: web.Request) -> web.StreamResponse:
    """getUpdates answered at once with nothing new (a long poll that timed out)."""
    return web.json_response({"ok": True, "result": []})


async def drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer (a server that went away)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # goes nowhere


async def hang(request: web.Request) -> web.StreamResponse:
    """Never answer (the client times out)."""
    await asyncio.sleep(60)
    return web.Response(status=504)


@dataclass
class Rule:
    method: str  # a Bot API method, lower-case, or "file" for downloads
    answer: Answer
    remaining: int


@dataclass
class Proxy:
    """A reverse proxy to `upstream` that answers the next matching requests its own way."""

    upstream: str | None = None
    rules: list[Rule] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # methods answered by a rule
    forwarded: list[str] = field(default_factory=list)  # methods passed on upstream
    root: str = ""

    def fail(self, method: str, answer: Answer, count: int = 1) -> None:
        self.rules.append(Rule(method.lower(), answer, count))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.raw_path
        method = "file" if path.startswith("/file/") else path.rsplit("/", 1)[-1].lower()
        for rule in self.rules:
            if rule.method == method and rule.remaining > 0:
                rule.remaining -= 1
                self.answered.append(method)
                return await rule.answer(request)
        if self.upstream is None:
            return web.Response(status=599)
        self.forwarded.append(method)
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with self._session.request(
            request.method, self.upstream + path, data=await request.read(), headers=headers
        ) as upstream:
            body = await upstream.read()
            kind = upstream.headers.get("Content-Type", "application/json")
            return web.Response(body=body, status=upstream.status, headers={"Content-Type": kind})

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[Proxy]:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        self.root = f"http://{host}:{port}"
        self._session = ClientSession(timeout=ClientTimeout(total=None))
        try:
            yield self
        finally:
            await self._session.close()
            await runner.cleanup()


def closed_port() -> str:
    """A loopback address nothing listens on: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------------------- processes


def env_for(tmp: Path, root: str, token: str = TOKEN, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_DATABASE=str(tmp / "duban.db"),
        DUBAN_BOT_API_URL=root,
        DUBAN_ADMIN_IDS=str(ADMIN_ID),
        DUBAN_BOT_TOKEN=token,
        **extra,
    )
    return env


async def start_duban(*argv: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *argv, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def duban(*argv: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await start_duban(*argv, env=env, cwd=cwd)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@dataclass(frozen=True)
class CliCase:
    """A command-line error path: how the Bot API misbehaves, what stderr must show."""

    name: str
    argv: tuple[str, ...]
    answer: Answer | None  # the proxy's answer to every request; None: `where` instead
    evidence: str  # a pattern stderr must match: the error path did run
    code: int
    echoed: bool = False  # the token came back in the error: the redaction mark must show
    where: str = "proxy"  # or "sandbox" (the real Bot API), "closed" (nothing listening)
    token: str = TOKEN
    process: bool = False  # run `duban` as a process; else its `main` in a thread (faster)
    api_timeout: str = "2"  # DUBAN_API_TIMEOUT, seconds


SEND_DUE = ("send-due", "--at", "2026-12-17T09:30")
CLI_CASES = [
    CliCase(
        "send-due: token refused (401)",
        SEND_DUE,
        None,
        "refused DUBAN_BOT_TOKEN",
        2,
        where="sandbox",
        token=OTHER,
    ),
    CliCase(
        "send-due: Bot API unreachable (connection refused)",
        SEND_DUE,
        None,
        "cannot reach the Bot API",
        1,
        where="closed",
    ),
    CliCase(
        "send-due: connection dropped without an answer",
        SEND_DUE,
        drop,
        "cannot reach the Bot API",
        1,
    ),
    # the proxy never answers: waiting a quarter of a second for that is as good as five
    CliCase("send-due: getMe times out", SEND_DUE, hang, "Timed out", 1, api_timeout="0.25"),
    CliCase(
        "send-due: 404 HTML page echoing the path",
        SEND_DUE,
        page(404),
        "refused DUBAN_BOT_TOKEN",
        2,
    ),
    CliCase(
        "send-due: 502 HTML page echoing the path",
        SEND_DUE,
        page(502),
        "cannot reach the Bot API.*Bad Gateway",
        1,
        echoed=True,
        process=True,
    ),
    CliCase(
        "send-due: 500 JSON description echoing the URL lower-cased",
        SEND_DUE,
        described(500, lower),
        "cannot reach the Bot API.*upstream failed",
        1,
        echoed=True,
    ),
    CliCase(
        "send-due: 503 JSON description echoing the URL URL-encoded",
        SEND_DUE,
        described(503, encoded),
        "cannot reach the Bot API.*upstream failed",
        1,
        echoed=True,
    ),
    CliCase(
        "send-due: 200 login page of a captive portal (not JSON)",
        SEND_DUE,
        login_page(),
        "duban: the Bot API failed: .*Invalid server response",
        1,
    ),
    CliCase(
        "digest --send: 502 HTML page echoing the path",
        ("digest", "--send", "--at", "2026-12-17T09:30"),
        page(502),
        "cannot reach the Bot API.*Bad Gateway",
        1,
        echoed=True,
    ),
    CliCase(
        "invite: 502 HTML page echoing the path",
        ("invite", "coordinator"),
        page(502),
        "cannot reach the Bot API.*Bad Gateway",
        1,
        echoed=True,
    ),
]


def problems_with(name: str, output: str, *, token: str, evidence: str, echoed: bool) -> list[str]:
    """What is wrong with a scenario's output: a leak, a missing error, a missing mark."""
    found = []
    if leaked := leaks(output, token):
        found.append(f"{name}: the token leaked ({', '.join(leaked)})")
    if not re.search(evidence, output):
        found.append(f"{name}: its error did not show (no /{evidence}/) in:\n{output[-1500:]}")
    if echoed and MARK not in output:
        found.append(f"{name}: the echoed token should show as {MARK} in:\n{output[-1500:]}")
    return found


def main_in_thread(argv: tuple[str, ...], env: dict[str, str], cwd: Path) -> int:
    """`duban ARGV` as `bot.cli.main` with this environment and working directory."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        return main(list(argv))
    finally:
        reset_logging()
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)


async def run_case(
    case: CliCase, sb: BotApiSandbox, tmp: Path, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    cwd = tmp / re.sub(r"\W+", "-", case.name)
    cwd.mkdir()
    async with Proxy().serving() as proxy:
        if case.answer is not None:
            for method in ("getme", "file"):
                proxy.fail(method, case.answer, count=1000)
        root = {"proxy": proxy.root, "sandbox": sb.root, "closed": closed_port()}[case.where]
        # a short Bot API timeout (DUBAN_API_TIMEOUT): "getMe times out" waits that, not 5 s
        env = env_for(cwd, root, case.token, DUBAN_API_TIMEOUT=case.api_timeout)
        if case.process:
            code, out, err = await duban(*case.argv, env=env, cwd=cwd)
        else:
            capsys.readouterr()
            code = await asyncio.to_thread(main_in_thread, case.argv, env, cwd)
            out, err = capsys.readouterr()
    found = problems_with(
        case.name, out + err, token=case.token, evidence=case.evidence, echoed=case.echoed
    )
    if code != case.code:
        found.append(f"{case.name}: exit {code}, expected {case.code}:\n{err[-1500:]}")
    if "Traceback" in err:
        found.append(f"{case.name}: a traceback instead of one line:\n{err[-1500:]}")
    if case.where == "proxy" and not proxy.answered:
        found.append(f"{case.name}: the Bot API was never asked")
    return found


async def test_command_line_error_paths_never_print_the_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with BotApiSandbox(token=TOKEN) as sb:
        processes = [
            asyncio.create_task(run_case(c, sb, tmp_path, capsys)) for c in CLI_CASES if c.process
        ]
        found = [await run_case(c, sb, tmp_path, capsys) for c in CLI_CASES if not c.process]
        found += await asyncio.gather(*processes)
    problems = [p for case in found for p in case]
    assert not problems, "\n\n".join(problems)
    assert len(found) == len(CLI_CASES) == 11


# ---------------------------------------------------------------------------- `duban run`


async def test_run_through_an_outage_logs_one_line_per_retry(tmp_path: Path) -> None:
    """`duban run` while getUpdates fails three ways: no traceback, one line per retry. A poll
    that gets nothing comes between two failures: PTB pauses 1 s after a failure that follows
    a success, and 1.5 times longer after each further failure in a row (here 4.75 s for the
    three instead of 3 s); the log lines are the same either way."""
    async with (
        BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb,
        Proxy(sb.root).serving() as proxy,
    ):
        scenarios = {  # getUpdates answers, in this order, and what the log line says
            "run: getUpdates gets a 502 HTML page echoing the path": (page(502), "Bad Gateway"),
            "run: getUpdates connection dropped (the API is down)": (drop, "disconnected"),
            "run: getUpdates 409 conflict echoing the URL": (described(409), "Conflict"),
        }
        for k, (answer, _) in enumerate(scenarios.values()):
            if k:
                proxy.fail("getUpdates", no_updates)
            proxy.fail("getUpdates", answer)
        env = env_for(tmp_path, proxy.root, DUBAN_SCHEDULER="off")
        proc = await start_duban("run", env=env, cwd=tmp_path)
        try:
            admin = sb.create_user("办公室", user_id=ADMIN_ID)
            # the retries are over once a getUpdates is passed on to the sandbox
            await sb.wait_for(lambda: "getupdates" in proxy.forwarded or None, timeout=30)
            admin.send_text("/whoami")
            await sb.wait_for_message(ADMIN_ID, timeout=15)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err_bytes = await asyncio.wait_for(proc.communicate(), timeout=30)
    err = err_bytes.decode()
    assert proc.returncode == 0, err
    assert proxy.answered.count("getupdates") == 2 * len(scenarios) - 1
    lines = err.splitlines()
    retries = [line for line in lines if "polling" in line]
    problems = []
    for k, (name, (_, said)) in enumerate(scenarios.items()):
        line = retries[k] if k < len(retries) else ""
        problems += problems_with(name, line, token=TOKEN, evidence=said, echoed=False)
    assert not problems, "\n\n".join(problems) + "\n\n" + err
    assert not leaks(err) and MARK in err  # the 502 page and the 409 answer carried the token
    assert "Traceback" not in err, err
    strays = [line for line in lines if not LINE.match(line)]
    assert not strays, f"lines that are not log lines: {strays}"
    assert len(retries) == 3, "\n".join(retries)  # one line per retry
    assert all(" WARNING telegram.ext.Updater: " in line for line in retries), retries
    assert re.search(
        r"INFO bot.updates: update \d+ \(message /whoami, chat 9001\) handled in \d+ ms", err
    ), err


# ---------------------------------------------------------------------------- in the bot


@dataclass
class Record:
    level: str
    logger: str
    msg: str
    exc: str

    def line(self) -> str:
        return f"{self.level} {self.logger}: {self.msg}"


def records(err: str, fmt: str) -> list[Record]:
    """The log records in stderr, from either format (each line checked to be one)."""
    out: list[Record] = []
    for line in err.splitlines():
        if fmt == "json":
            data = json.loads(line)  # one JSON object per line, or this fails
            assert {"ts", "level", "logger", "msg"} <= set(data), data
            out.append(Record(data["level"], data["logger"], data["msg"], data.get("exc", "")))
        elif (m := re.match(LINE.pattern + r"(\S+): (.*)$", line)) is not None:
            out.append(Record(m.group(1), m.group(2), m.group(3), ""))
        else:
            assert out, f"stderr does not start with a log line: {line!r}"
            out[-1].exc += line + "\n"
    return out


REPLY_TEXT = "4 完成60%,机密进展ZQX-7"  # must not reach the log at INFO


FETCHED: dict[str, str] = {}  # the file /fetch downloads


async def fetch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler that downloads a file the way a future evidence check would."""
    file = await context.bot.get_file(FETCHED["file_id"])
    await file.download_as_bytearray()


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.usefixtures("retries_unpaused")  # conftest: a 5xx costs 10 ms, not half a second
async def test_errors_inside_the_bot_never_log_the_token(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fmt: Literal["text", "json"],
) -> None:
    monkeypatch.chdir(tmp_path)
    # (name, pattern that the log must match, whether the token came back and shows redacted)
    scenarios: list[tuple[str, str, bool]] = []
    async with (
        BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb,
        Proxy(sb.root).serving() as proxy,
    ):
        settings = Settings(
            bot_token=SecretStr(TOKEN),
            database=tmp_path / "duban.db",
            bot_api_url=proxy.root,
            admin_ids=[ADMIN_ID],
            send_concurrency=4,
            chat_rate=0,  # the sandbox has no per-chat limit: no second's wait per answer
            log_format=fmt,
        )
        configure_logging(settings)
        try:
            async with await Database.open(settings.database) as db:
                clock = Clock(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
                svc = Services(settings=settings, db=db, clock=clock)
                parsed = parse_file(SEED_000)
                await import_plan(
                    db,
                    parsed.plan,
                    source_name=SEED_000.name,
                    content_hash=parsed.content_hash,
                    now=clock.moment,
                )
                app = build_application(settings, db, services=svc)
                app.add_handler(CommandHandler("fetch", fetch), group=-100)

                scenarios.append(
                    (
                        "menus: setMyCommands 500 echoing the URL verbatim",
                        r"WARNING bot.app: could not set the command menus: Internal Server Error",
                        True,
                    )
                )
                proxy.fail("setMyCommands", described(500))
                async with running(app, poll_timeout=1):
                    admin = sb.create_user("办公室", user_id=ADMIN_ID)
                    w = World(sb, db, svc, app, clock, admin)
                    await w.say(admin, "/start")
                    error_reply = svc.texts("error")

                    scenarios.append(
                        (
                            "handler: reply refused (400) echoing the URL, a bug: traceback",
                            r"ERROR bot.errors: update \d+ \(message /whoami, chat 9001\)"
                            r" failed: BadRequest",
                            True,
                        )
                    )
                    proxy.fail("sendMessage", described(400))
                    assert error_reply in (await w.say(admin, "/whoami"))["text"]

                    scenarios.append(
                        (
                            "handler: a reply retried after a 502 echoing the URL lower-cased",
                            r"Bad Gateway: upstream failed for \S+/bot<token>/sendmessage",
                            True,
                        )
                    )
                    proxy.fail("sendMessage", described(502, lower))
                    assert "9001" in (await w.say(admin, "/whoami"))["text"]

                    scenarios.append(
                        (
                            "file download: 502 page echoing /file/bot<token>/…, one line",
                            r"WARNING bot.errors: update \d+ \(message /fetch, chat 9001\)"
                            r" failed: NetworkError: Bad Gateway.*/file/bot<token>/documents/",
                            True,
                        )
                    )
                    upload = admin.upload_document("台账.txt", "进展".encode())
                    await w.next_answer(ADMIN_ID, upload)
                    FETCHED["file_id"] = upload["document"]["file_id"]
                    proxy.fail("file", page(502))
                    sent = admin.send_text("/fetch")
                    for answered in (error_reply, "/fetch"):  # on_error's, then "no such command"
                        await sb.wait_for_message(
                            ADMIN_ID,
                            lambda m, said=answered: said in (m["text"] or ""),  # type: ignore[misc]
                            timeout=10,
                            after=int(sent["message_id"]),
                        )

                    scenarios.append(
                        (
                            "nudge pass: sendMessage 500 echoing the URL lower-cased",
                            r"WARNING services.delivery: could not reach chat \d+: .*upstream failed",
                            True,
                        )
                    )
                    contact = sb.create_user("吴联络")
                    await w.join(contact, "局高新处")
                    proxy.fail("sendMessage", described(500, lower), count=3)
                    failed = await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
                    assert failed.failed and not failed.units_sent

                    # the next pass delivers; the reply is stored; its text stays out of the log
                    sent_pass = await w.pass_at(datetime(2023, 12, 18, 10, 0, tzinfo=TZ))
                    assert sent_pass.units_sent == 1
                    nudge = await sb.wait_for_message(
                        contact.id, lambda m: "【督办提醒】" in (m["text"] or ""), timeout=10
                    )
                    confirm = await w.next_answer(contact.id, contact.reply(nudge, REPLY_TEXT))
                    assert "第 4 项" in confirm["text"] and "60" in confirm["text"]

                    scenarios.append(
                        (
                            "digest: chart upload 500 echoing the URL URL-encoded",
                            r"WARNING services.digests: digest chart to 9001 failed",
                            True,
                        )
                    )
                    proxy.fail("sendPhoto", described(500, encoded))
                    digest = await send_digest(
                        svc, TelegramSender(app.bot), clock.moment, force=True
                    )
                    assert digest is not None and digest.recipients >= 1
        finally:
            reset_logging()
    err = capsys.readouterr().err
    logged = records(err, fmt)
    text = "\n".join(r.line() + ("\n" + r.exc if r.exc else "") for r in logged)
    problems = []
    for name, pattern, echoed in scenarios:
        problems += problems_with(name, text, token=TOKEN, evidence=pattern, echoed=echoed)
    assert not problems, "\n\n".join(problems)
    assert len(scenarios) == 6
    # genuine faults keep their traceback; network faults are one line without one
    by_line = {r.line(): r for r in logged}
    bug = next(r for line, r in by_line.items() if "failed: BadRequest" in line)
    assert "Traceback" in bug.exc and MARK in bug.exc and bug.level == "ERROR"
    lost = next(r for line, r in by_line.items() if "/fetch, chat 9001) failed:" in line)
    assert lost.exc == "" and lost.level == "WARNING"
    # one line per event
    assert re.search(r"INFO bot.updates: update \d+ \(message /start, chat 9001\) handled", text)
    assert re.search(r"INFO bot.updates: update \d+ \(message /fetch, chat 9001\) failed", text)
    assert re.search(r"INFO services.nudging: nudge pass at 2023-12-18T10:00\+08:00: \d+ newly due,"
                     r" 1 messages to 1 units", text)  # fmt: skip
    assert re.search(
        r"INFO handlers.reporting: report \d+ stored: item \d+, unit \d+, \w+, 60%", text
    )
    assert REPLY_TEXT not in err and "机密进展" not in err


# ---------------------------------------------------------------------------- the parts


def redactor() -> Redactor:
    r = Redactor()
    r.add(TOKEN)
    return r


@pytest.mark.parametrize(
    "shown",
    [
        TOKEN,
        TOKEN.lower(),
        TOKEN.upper(),
        quote(TOKEN, safe=""),
        quote(TOKEN, safe="").lower(),
        quote(quote(TOKEN, safe=""), safe=""),
        f"/bot{TOKEN}/getMe",
        f"http://api/BOT{TOKEN.upper()}/GETME",
        f"b'<a href=\"/bot{TOKEN}/sendMessage\">'",
        TOKEN.partition(":")[2],
        f"{TOKEN.partition(':')[2].lower()}!",
    ],
)
def test_the_token_is_redacted_in_any_form(shown: str) -> None:
    out = redactor()(f"before {shown} after")
    assert not leaks(out), out
    assert MARK in out and out.startswith("before ") and out.endswith(" after")


def test_redaction_leaves_other_text_alone() -> None:
    r = redactor()
    text = "bot 6021733859 (its id is public) sent 200 messages; abcdef"
    assert r(text) == text
    short = Redactor()
    short.add("123:ABC")  # the sandbox's default token: too short to redact its secret alone
    assert short("bot123:abc/getMe ABC") == "bot<token>/getMe ABC"


def make_record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, None)
    if exc is not None:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    record.stack_info = f"Stack (most recent call last):\n  url=/bot{TOKEN.lower()}/x"
    return record


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize("inner", [TextFormatter(), JsonFormatter(), logging.Formatter()])
def test_the_formatter_redacts_message_args_traceback_and_stack(inner: logging.Formatter) -> None:
    cause = raised(RuntimeError(f"page echoing /bot{TOKEN}/getMe\n<html>"))
    record = make_record("failed at %s: %r", f"/bot{TOKEN.lower()}/x", {"t": TOKEN}, exc=cause)
    out = RedactingFormatter(inner, redactor()).format(record)
    assert not leaks(out), out
    assert out.count(MARK) >= 4 and "Traceback" in out


def test_json_lines_are_one_object_with_the_event_fields() -> None:
    record = make_record("report %d stored", 7, exc=raised(ValueError("a\nb")))
    record.report_id = 7
    record.status = "done"
    out = RedactingFormatter(JsonFormatter(), redactor()).format(record)
    assert "\n" not in out
    data = json.loads(out)
    assert data["msg"] == "report 7 stored" and data["report_id"] == 7
    assert data["status"] == "done" and "ValueError: a\nb" in data["exc"]
    assert {"ts", "level", "logger"} <= set(data)


def test_a_network_fault_is_one_warning_line_and_a_bug_keeps_its_traceback() -> None:
    from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter, TimedOut

    fmt = RedactingFormatter(TextFormatter(), redactor())
    for fault in (
        NetworkError(f"Bad Gateway /bot{TOKEN}/getUpdates"),
        TimedOut(),
        RetryAfter(3),
        Conflict("Conflict: terminated by other getUpdates request"),
    ):
        record = make_record("Exception happened while polling for updates.", exc=raised(fault))
        record.stack_info = None
        out = fmt.format(record)
        assert "\n" not in out and "Traceback" not in out, out
        assert " WARNING t: Exception happened while polling for updates: " in out, out
        assert not leaks(out)
        assert record.exc_info is not None and record.levelno == logging.ERROR  # not altered
    bug = make_record("failed", exc=raised(BadRequest("Bad Request: can't parse entities")))
    bug.stack_info = None
    out = fmt.format(bug)
    assert " ERROR t: failed" in out and "Traceback" in out


def test_a_crash_at_the_top_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from telegram.error import TelegramError

    from services.redaction import keep_secret

    keep_secret(TOKEN)
    print_crash(raised(KeyError(f"http://api/bot{TOKEN.lower()}/getMe")))
    print_crash(raised(TelegramError(f"Invalid server response for /bot{TOKEN}/getMe")))
    err = capsys.readouterr().err
    assert not leaks(err), err
    assert "Traceback" in err and "duban: internal error: KeyError" in err
    assert err.rstrip().endswith("duban: the Bot API failed: TelegramError: Invalid server"
                                 " response for /bot<token>/getMe")  # fmt: skip


def test_warnings_and_thread_crashes_are_logged_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import threading
    import warnings

    settings = Settings(bot_token=SecretStr(TOKEN), log_format="text")
    configure_logging(settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(
                f"deprecated call to /bot{TOKEN.upper()}/getMe", UserWarning, stacklevel=1
            )

        def boom() -> None:
            raise RuntimeError(f"lost /file/bot{TOKEN}/documents/x.pdf")

        thread = threading.Thread(target=boom, name="worker")
        thread.start()
        thread.join()
    finally:
        reset_logging()
    err = capsys.readouterr().err
    assert not leaks(err), err
    assert "WARNING py.warnings:" in err and "uncaught exception in thread worker" in err
    assert err.count(MARK) >= 2
