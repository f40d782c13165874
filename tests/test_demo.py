"""`duban demo` and `duban demo --chat` as processes, the way the README's first command runs them.

The Chinese demo runs once for the module as a process (it takes a few seconds); the chat is
driven through a pseudo-terminal, as a person at a terminal would. The English demo and the chat
from a pipe run in this process, to keep the file quick.
"""

from __future__ import annotations

import codecs
import io
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from bot.chat import run_chat
from bot.cli import main as cli_main
from bot.demo import run_demo as run_demo_in_process
from bot.demo_folder import MARKER, prepare_folder
from bot.errors import UserError
from bot.transcript import buttons_of, render_message, strip_ansi

ROOT = Path(__file__).resolve().parents[1]
LEDGER = "督查台账-2023-04-03.xlsx"
CHART = "digest-2023-04-03.png"


def demo_env(**extra: str) -> dict[str, str]:
    """The environment of a machine with a real bot configured and a proxy for Telegram: the
    demo must ignore all of it (it brings its own settings and talks only to loopback)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_WEBHOOK_URL="https://bot.example.invalid/hook",  # would need a secret
        DUBAN_LANGUAGE="en",
        DUBAN_DATABASE="/nonexistent/dir/duban.db",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        PYTHONUTF8="1",
        **extra,
    )
    env.pop("NO_COLOR", None)
    return env


def answer(out: str, said: str) -> str:
    """What the bot answered to the line `said` (up to the next thing someone says)."""
    start = out.index(said) + len(said)
    after = out[start:].split("\n")
    reply: list[str] = []
    for line in after[1:]:
        if " → bot: " in line and not line.startswith("bot "):
            break
        reply.append(line)
    return "\n".join(reply)


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    folder: Path


def run_demo(folder: Path, *args: str, cwd: Path) -> Run:
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--out", str(folder), *args],
        cwd=cwd,
        env={**demo_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - began, folder)


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Run:
    here = tmp_path_factory.mktemp("demo-zh")
    return run_demo(here / "duban-demo", cwd=here)


def test_demo_plays_every_act_and_exits_0(zh: Run) -> None:
    assert zh.code == 0, zh.err
    assert zh.err == ""
    assert zh.seconds < 60
    for act in ("1/7 导入", "2/7 邀请", "3/7 催办", "4/7 反馈", "5/7 查询", "6/7 周报", "7/7 台账"):
        assert f"── {act} · 2023-" in zh.out, act
    out = zh.out
    # 1. import: the one-line summary and the review's head
    assert "已导入计划 1《市科技局党组2023年工作要点》(2023 年):28 项" in out
    assert "导入检查《市科技局党组2023年工作要点》" in out
    # 2. invites and joins, the leader too
    assert "赵敏(督查室) → bot: /invite 局高新处" in out
    assert "欢迎,王建国!您已作为 局高新处 的联络员加入督办。" in out
    assert "欢迎,刘卫东!您已作为 领导 加入督办。" in out
    # 3. one nudge per unit, with numbered buttons
    assert out.count("【督办提醒】") == 3
    assert "[1 3 ✅完成] [2 3 ⏳推进中] [3 3 ⚠️有困难]" in out
    # 4. the replies and what the bot understood of them
    assert "已记录 第 9 项" in answer(out, "王建国(局高新处) → bot: 9 完成40%,预计11月底完成")
    assert "2023-11-30" in answer(out, "王建国(局高新处) → bot: 9 完成40%")
    assert re.search(
        r"30%.*180.*600家以上", answer(out, "王建国(局高新处) → bot: 4 已净增高企180家")
    )
    assert "有困难:用地指标未落实" in answer(out, "王建国(局高新处) → bot: 6 有困难:用地指标未落实")
    assert answer(out, "李娜(局产学研处) → bot: 收到")  # whatever the bot makes of it
    assert re.search(r"陈静\(局对外合作处\) → bot: ⏺ \[\d+ 14 ✅完成\]", out)
    assert "已记录 第 14 项" in out
    # 5. /status and /status 局高新处
    assert "督办概览(截至 2023-03-30)" in out
    assert "局高新处 的事项 10 项" in out
    # 6. the digest with its chart, to the leader
    assert re.search(r"bot → 刘卫东\(局领导\):\s+(\(同上\)|督办周报)", out)
    assert "各单位平均进度" in out
    # 7. the ledger; the end names the files and what to do next
    assert f"📎 {LEDGER}" in out
    assert "duban demo --chat" in out and "DUBAN_BOT_TOKEN=" in out and "duban run" in out


def test_demo_output_is_plain_off_a_terminal_and_kept_as_the_transcript(zh: Run) -> None:
    assert "\x1b[" not in zh.out
    transcript = (zh.folder / "transcript.txt").read_text(encoding="utf-8")
    assert transcript == zh.out


def test_demo_leaves_database_ledger_chart_and_transcript(zh: Run) -> None:
    names = {p.name for p in zh.folder.iterdir()}
    assert {"duban.db", "transcript.txt", LEDGER, CHART} <= names
    assert names - {"duban.db", "transcript.txt", LEDGER, CHART} == {MARKER}
    assert (zh.folder / CHART).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    sheet = openpyxl.load_workbook(zh.folder / LEDGER).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in rows] == list(range(1, 29))  # the plan's 28 items
    item4 = rows[3]
    assert "加快高新技术企业培育" in item4[1] and item4[7] == 30 and "180家" in item4[6]

    with sqlite3.connect(zh.folder / "duban.db") as db:
        reports = db.execute(
            "SELECT i.seq, r.status, r.percent, r.source FROM reports r"
            " JOIN items i ON i.id = r.item_id ORDER BY i.seq"
        ).fetchall()
        contacts = db.execute("SELECT role, display_name FROM contacts ORDER BY id").fetchall()
    assert {
        (4, "in_progress", 30.0, "reply"),
        (6, "blocked", None, "reply"),
        (9, "in_progress", 40.0, "reply"),
        (14, "done", 100.0, "button"),
        (16, "in_progress", 40.0, "reply"),
    } <= set(reports)
    assert ("leader", "刘卫东") in contacts
    assert sum(role == "contact" for role, _ in contacts) == 3


async def test_demo_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # in this process: the command line's path is the Chinese run's; this one is the words
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # the demo drops it; restored after
    screen = io.StringIO()
    assert await run_demo_in_process(tmp_path / "en", "en", screen) == 0
    out = screen.getvalue()
    assert "── 1/7 Import · 2023-03-06 Mon 10:00 ──" in out
    assert "── 3/7 Nudges · 2023-03-27 Mon 09:00 ──" in out
    assert "Welcome, 王建国! You joined as a contact of 局高新处." in out
    assert "【督办提醒】" not in out and "已记录" not in out
    assert "Recorded for item 9" in out and "expected 2023-11-30" in out
    assert "Weekly digest" in out
    # the ledger's file name follows the bot's language
    assert (tmp_path / "en" / "ledger-2023-04-03.xlsx").is_file()
    assert (tmp_path / "en" / CHART).is_file()
    # no bot message carries Chinese apart from the plan's own words (and what people wrote)
    transcript = (tmp_path / "en" / "transcript.txt").read_text(encoding="utf-8")
    words = plan_words(tmp_path / "en" / "duban.db")
    said = bot_lines(transcript)
    assert len(said) > 100
    left = [(line, _without(line, words)) for line in said]
    assert [(line, rest) for line, rest in left if CJK.search(rest)] == []


# CJK characters and CJK punctuation (【】〔〕、,:)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def plan_words(database: Path) -> list[str]:
    """Everything the plan and the people wrote, longest first: units, titles, tasks, targets,
    milestones, names, replies, reasons."""
    columns = {
        "plans": ("title",), "sections": ("title",), "items": ("title", "text", "deadline_text"),
        "units": ("name",), "targets": ("text", "measure"), "milestones": ("text",),
        "contacts": ("display_name",), "reports": ("text",),
        "extensions": ("reason", "phrase", "requester_name"),
    }  # fmt: skip
    found: set[str] = set()
    with sqlite3.connect(database) as db:
        for table, names in columns.items():
            for name in names:
                found |= {r[0] for r in db.execute(f"SELECT {name} FROM {table}") if r[0]}
    return sorted(found, key=len, reverse=True)


def bot_lines(transcript: str) -> list[str]:
    """What the bot said in the transcript: its lines ("bot → 王建国: …" and the indented lines
    under such a head), without the head."""
    out: list[str] = []
    inside = False
    for line in transcript.splitlines():
        if line.startswith("bot → "):
            inside = True
            out.append(line.split(": ", 1)[1] if ": " in line else "")
        elif inside and line.startswith("    "):
            out.append(line)
        else:
            inside = False
    return out


def _without(line: str, words: list[str]) -> str:
    for word in words:
        line = line.replace(word, "")
    return line


def test_a_second_run_reuses_its_folder_and_a_foreign_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    prepare_folder(folder)
    for name in ("duban.db", "duban.db-wal", "transcript.txt", LEDGER, CHART, "notes.txt"):
        (folder / name).write_text("old")
    prepare_folder(folder)  # an earlier demo's folder: its files go, the user's stay
    assert {p.name for p in folder.iterdir()} == {MARKER, "notes.txt"}

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "plan.docx").write_text("x")
    with pytest.raises(UserError, match="not empty"):
        prepare_folder(mine)
    assert cli_main(["demo", "--out", str(mine)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "not empty" in err
    assert {p.name for p in mine.iterdir()} == {"plan.docx"}


# ------------------------------------------------------------------------- the chat, on a pty


class Terminal:
    """`duban demo --chat` on a pseudo-terminal: type lines, read the screen."""

    def __init__(self, folder: Path, cwd: Path) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "demo", "--chat", "--out", str(folder)],
            cwd=cwd,
            env={**demo_env(TERM="xterm"), "PYTHONPATH": str(ROOT)},
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        self.screen = ""  # everything shown so far, raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.seen = 0  # how far `expect` has read

    def read_some(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        if not data:
            return False
        self.screen += self._decoder.decode(data)  # a character may span two reads
        return True

    def expect(self, pattern: str, timeout: float = 20.0) -> str:
        """Wait for `pattern` (a regex) in the plain text shown since the last expect; return
        that text up to the match's end."""
        deadline = time.monotonic() + timeout
        while True:
            plain = strip_ansi(self.screen).replace("\r\n", "\n")
            m = re.compile(pattern).search(plain, self.seen)
            if m is not None:
                shown, self.seen = plain[self.seen : m.end()], m.end()
                return shown
            left = deadline - time.monotonic()
            if left <= 0 or (not self.read_some(min(left, 0.5)) and self.proc.poll() is not None):
                raise AssertionError(f"no {pattern!r} on the screen; it shows:\n{plain[-3000:]}")

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def close(self) -> int:
        os.write(self.fd, b"\x04")  # Ctrl-D at the start of a line: end of input
        deadline = time.monotonic() + 20
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read_some(0.2)
        while self.read_some(0.1):
            pass
        os.close(self.fd)
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait(5)


def test_chat_on_a_terminal_as_a_contact_and_as_the_coordinator(tmp_path: Path) -> None:
    term = Terminal(tmp_path / "chat", tmp_path)
    try:
        term.expect(r"王建国\(局高新处\) › ")  # the nudge, then the prompt
        assert "【督办提醒】局高新处" in strip_ansi(term.screen)
        assert "\x1b[" in term.screen  # a terminal gets colour

        term.type("4 完成70%")
        answer = term.expect(r"王建国\(局高新处\) › ")
        assert "已记录 第 4 项" in answer and "70%" in answer

        term.type("1")  # the first button of the nudge: item 3 done
        answer = term.expect(r"王建国\(局高新处\) › ")
        assert "⏺ [1 3 ✅完成]" in answer and "已记录 第 3 项" in answer

        term.type("/as coordinator")
        term.expect(r"您现在是 赵敏\(督查室\)。")
        term.expect(r"赵敏\(督查室\) › ")
        term.type("/status")
        overview = term.expect(r"赵敏\(督查室\) › ")
        assert "督办概览" in overview and "2023-03-27" in overview and "28 项" in overview

        term.type("/time 2023-04-03")
        digest = term.expect(r"赵敏\(督查室\) › ")
        assert "── 2023-04-03 周一 09:00 ──" in digest and "督办周报" in digest
    finally:
        code = term.close()
    assert code == 0
    end = strip_ansi(term.screen)
    assert "演示文件夹" in end and "chat/" in end
    names = {p.name for p in (tmp_path / "chat").iterdir()}
    assert {"duban.db", "transcript.txt", CHART} <= names
    transcript = (tmp_path / "chat" / "transcript.txt").read_text(encoding="utf-8")
    assert "\x1b[" not in transcript
    assert "王建国(局高新处) → bot: 4 完成70%" in transcript  # typed lines are kept too
    assert "── 2/7 邀请" in transcript  # the set-up went to the file


async def test_chat_from_a_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = "\n".join(["/as 局产学研处", "16 完成50%", "/as nobody", "/time 2023-03-01", ""])
    screen = io.StringIO()
    assert await run_chat(Path("pipe"), "en", screen, io.StringIO(lines)) == 0
    out = screen.getvalue()
    assert "\x1b[" not in out
    assert "王建国 (局高新处) › /as 局产学研处" in out and "You are 李娜 (局产学研处)." in out
    assert "李娜 (局产学研处) → bot: 16 完成50%" in out
    assert "Recorded for item 16" in out
    assert "No one called nobody" in out
    assert "The clock only moves forward" in out
    assert "The demo folder pipe/" in out


def test_bot_html_becomes_terminal_text() -> None:
    # what the sandbox hands back for "<b>🟢 4.</b> 加快 <a href='https://x.y/'>台账</a> <code>/mine</code>"
    text = "🟢 4. 加快 台账 /mine"
    entities = [
        {"type": "bold", "offset": 0, "length": 5},  # 🟢 is two UTF-16 units
        {"type": "text_link", "offset": 9, "length": 2, "url": "https://x.y/"},
        {"type": "code", "offset": 12, "length": 5},
    ]
    assert render_message(text, entities, colour=False) == "🟢 4. 加快 台账 (https://x.y/) /mine"
    coloured = render_message(text, entities, colour=True)
    assert "\x1b[1m🟢 4.\x1b[0m" in coloured and "\x1b[36m/mine\x1b[0m" in coloured
    assert strip_ansi(coloured) == "🟢 4. 加快 台账 (https://x.y/) /mine"
    rows = buttons_of(
        {"inline_keyboard": [[{"text": "a", "callback_data": "1"}], [{"text": "b", "url": "u"}]]}
    )
    assert [[(b.number, b.label) for b in row] for row in rows] == [[(1, "a")], [(2, "b")]]
