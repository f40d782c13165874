"""`duban demo --chat`: the demo's world, opened to the person at the keyboard.

The plan is imported and the people have joined (acts 1 and 2 of `duban demo`, written to the
transcript file only); the month's first nudge has just gone out. Then whatever is typed is
sent to the bot as the person one is acting as — by default 局高新处's contact:

    4 完成70%                 a message to the bot (so is any /command: /status, /mine, /help)
    1                         presses button 1 of the latest bot message that has buttons
    /as coordinator           act as the coordinator; also /as leader, /as 局产学研处, /as 李娜
    /time 2023-12-28 [09:30]  move the clock on; run the nudge pass (and the digest if due)
    Ctrl-D                    leave

Lines are read with input() in a thread of their own, so the bot keeps running while the
person thinks; on a terminal input() edits lines with readline, from a pipe it reads them as
they come (and they are echoed, so the screen shows the whole conversation either way).
"""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
from contextlib import suppress
from datetime import datetime, time
from pathlib import Path
from typing import TextIO

from bot.demo import prepare_screen, print_files, setup_world
from bot.demo_folder import TRANSCRIPT_NAME, example_plan, prepare_folder
from bot.demo_stage import NUDGE_AT, UNITS, Person, Stage, stage
from bot.demo_words import Lang
from bot.transcript import Transcript, buttons_of, use_colour

CHAT_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "intro": (
            "duban 演示 · 交互模式。计划已导入,三个单位的联络员和一位领导已加入(经过见 {transcript})。\n"
            "现在是 {now},本月的催办刚刚发出。"
        ),
        "help": (
            "直接打字,就是以当前身份发给机器人的消息,例如:{example}\n"
            "  数字 1、2……           按下最近一条带按钮消息上的第几个按钮\n"
            "  /as 身份               换一个身份:{people}\n"
            "  /time 2023-12-28 09:30 拨快时钟,运行催办(周一上午还会发周报)\n"
            "  /status、/mine、/help  其他命令照常发给机器人\n"
            "  Ctrl-D                 退出"
        ),
        "you_are": "您现在是 {who}。",
        "others": "其他联络员也收到了各自的催办。",
        "unknown_person": "没有这个人:{name}。可选:{people}",
        "time_usage": "用法:/time 2023-12-28 或 /time 2023-12-28 09:30",
        "time_back": "时钟只能往前拨(现在是 {now})。",
        "clock": "── {now} ──",
        "bye": "再见。",
    },
    "en": {
        "intro": (
            "duban demo · chat. The plan is imported; three units' contacts and a leader have "
            "joined (see {transcript}).\nIt is {now}: this month's nudges have just gone out."
        ),
        "help": (
            "Whatever you type goes to the bot as the person you are acting as, e.g. {example}\n"
            "  1, 2, …                 press that button of the latest message with buttons\n"
            "  /as WHO                 act as someone else: {people}\n"
            "  /time 2023-12-28 09:30  move the clock on and run the nudge pass (and the digest on a Monday morning)\n"
            "  /status, /mine, /help   other commands go to the bot as usual\n"
            "  Ctrl-D                  leave"
        ),
        "you_are": "You are {who}.",
        "others": "The other contacts got their nudges too.",
        "unknown_person": "No one called {name}. Choose from: {people}",
        "time_usage": "Usage: /time 2023-12-28 or /time 2023-12-28 09:30",
        "time_back": "The clock only moves forward (it is {now}).",
        "clock": "── {now} ──",
        "bye": "Bye.",
    },
}

# Words that name the coordinator and the leader in `/as`.
ROLE_NAMES = {
    "coordinator": "coordinator",
    "督查室": "coordinator",
    "督查": "coordinator",
    "协调员": "coordinator",
    "admin": "coordinator",
    "leader": "leader",
    "领导": "leader",
    "局领导": "leader",
}


def chat_words(lang: Lang, key: str, **kwargs: object) -> str:
    text = CHAT_WORDS[lang][key]
    return text.format(**kwargs) if kwargs else text


class LineReader:
    """Lines from stdin, read in a daemon thread: input() blocks, the bot must not.

    The prompt is asked for only when the conversation so far is on the screen, so that it
    comes last. A daemon thread does not keep the process alive after Ctrl-C."""

    def __init__(self, stdin: TextIO, *, tty: bool) -> None:
        self._stdin = stdin
        self._tty = tty
        self._loop = asyncio.get_running_loop()
        self._prompts: queue.Queue[str] = queue.Queue()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._run, name="demo-stdin", daemon=True).start()

    def _run(self) -> None:
        while True:
            prompt = self._prompts.get()
            line: str | None
            try:
                if self._tty:
                    line = input(prompt)
                else:
                    raw = self._stdin.readline()
                    line = raw.rstrip("\r\n") if raw else None
            except (EOFError, OSError, ValueError):
                line = None
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return

    async def read(self, prompt: str) -> str | None:
        """The next line (without its newline), or None at the end of input."""
        self._prompts.put(prompt)
        return await self._lines.get()


def find_person(s: Stage, name: str) -> Person | None:
    """The person `/as NAME` means: a role word, a unit (高新处 = 局高新处) or a person's name."""
    wanted = name.strip()
    key = ROLE_NAMES.get(wanted.lower())
    if key is not None:
        return s.people[key]
    for unit in UNITS:
        if wanted in (unit, unit.removeprefix("局")):
            return s.people[unit]
    for person in s.people.values():
        if wanted == person.name:
            return person
    return None


def parse_time(args: str, now: datetime, send_hour: int) -> datetime | None:
    """`2023-12-28` (at the send hour) or `2023-12-28 09:30`, in the demo's time zone."""
    parts = args.split()
    try:
        day = datetime.strptime(parts[0], "%Y-%m-%d").date()
        at = datetime.strptime(parts[1], "%H:%M").time() if len(parts) > 1 else time(send_hour)
    except (IndexError, ValueError):
        return None
    if len(parts) > 2:
        return None
    return datetime.combine(day, at, tzinfo=now.tzinfo)


class Chat:
    """The interactive loop: one typed line at a time, as the current person."""

    def __init__(self, s: Stage, reader: LineReader, *, tty: bool) -> None:
        self.s = s
        self.reader = reader
        self.tty = tty
        self.me = s.people[UNITS[0]]

    def say(self, key: str, **kwargs: object) -> None:
        self.s.out.note(chat_words(self.s.lang, key, **kwargs))

    def people_list(self) -> str:
        return " · ".join(
            ["coordinator", "leader", *UNITS] if self.s.lang == "en" else ["督查室", "领导", *UNITS]
        )

    async def run(self) -> None:
        while True:
            line = await self.reader.read(f"{self.me.label} › " if self.tty else "")
            if line is None:
                break
            text = line.strip()
            if text:
                await self.handle(text)

    async def handle(self, text: str) -> None:
        command, _, args = text.partition(" ")
        if command in ("/as", "/time") and not self.tty:
            # from a pipe nothing shows what was read; messages to the bot show themselves
            self.s.out.note(f"{self.me.label} › {text}")
        if command == "/as":
            person = find_person(self.s, args) if args.strip() else None
            if person is None:
                self.say("unknown_person", name=args.strip() or "?", people=self.people_list())
                return
            self.me = person
            self.say("you_are", who=person.label)
            self.show_buttons()
            return
        if command == "/time":
            await self.move_clock(args)
            return
        if text.isdigit():
            message = self.s.last_with_buttons(self.me)
            buttons = [
                b for row in buttons_of(message["reply_markup"] if message else None) for b in row
            ]
            chosen = next((b for b in buttons if b.number == int(text)), None)
            if message is not None and chosen is not None and chosen.callback_data:
                await self.s.press(self.me, message, chosen)
                return
        await self.s.say(self.me, text, typed=self.tty)

    def show_buttons(self) -> None:
        """After switching: the buttons a number would press now, if any."""
        message = self.s.last_with_buttons(self.me)
        if message is None:
            return
        for row in buttons_of(message["reply_markup"]):
            self.s.out.note("    " + " ".join(f"[{b.number} {b.label}]" for b in row))

    async def move_clock(self, args: str) -> None:
        now = self.s.clock.moment
        moment = parse_time(args, now, self.s.svc.settings.send_hour)
        if moment is None:
            self.say("time_usage")
            return
        if moment <= now:
            self.say("time_back", now=self.s.when())
            return
        self.s.out.act(self.s.when(moment))
        await self.s.tick(moment)


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


async def run_chat(folder: Path, lang: Lang, screen: TextIO, stdin: TextIO) -> int:
    """`duban demo --chat`: set the world up, then talk until the end of input."""
    plan_file = example_plan()
    prepare_folder(folder)
    tty = _isatty(screen) and _isatty(stdin)
    if tty:
        with suppress(ImportError):
            import readline  # noqa: F401  # line editing and history for input()
    with (folder / TRANSCRIPT_NAME).open("w", encoding="utf-8") as file:
        # acts 1 and 2 go to the file only: the screen starts with the first nudge
        s_out = Transcript(None, colour=False, file=file)
        async with stage(folder, lang, s_out) as s:
            await setup_world(s, plan_file)
            s.out = Transcript(screen, colour=use_colour(screen), file=file)
            chat = Chat(s, LineReader(stdin, tty=tty), tty=tty)
            transcript = f"{folder}/{TRANSCRIPT_NAME}"
            chat.say("intro", transcript=transcript, now=s.when(NUDGE_AT))
            example = "4 完成70%" if lang == "zh" else "4 70% done"
            chat.say("help", example=example, people=chat.people_list())
            s.out.blank()
            await s.nudge_pass(NUDGE_AT, only=chat.me.user.id)
            chat.say("others")
            chat.say("you_are", who=chat.me.label)
            await chat.run()
        s.out.blank()
        print_files(s)
        chat.say("bye")
    return 0


def main(out_dir: str | None, lang: str, screen: TextIO | None = None) -> int:
    """`duban demo --chat [--out DIR] [--lang zh|en]`."""
    folder, language, screen = prepare_screen(out_dir, lang, screen)
    return asyncio.run(run_chat(folder, language, screen, sys.stdin))
