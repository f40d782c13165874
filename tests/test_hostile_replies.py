"""Hostile replies: what people (and their phones) put into a progress reply -- emoji, RTL and
zero-width marks, control characters, 10 KB of text, HTML and SQL fragments, leading signs,
item references -- generated with hypothesis (a fixed seed: the same examples on every run).

- The pure reader, in-process, over 2,000 examples (`python bench/hostile_bench.py` runs the
  same check over 10,000 or more, and `.ci/run` runs it): it never fails inside (it would log and
  answer "not understood"), keeps the text exactly, reads a percent only in 0..100, says when
  it read only the beginning, never takes "-30%" for progress, ignores invisible marks, and
  notices a reply that names two items.
- A few hundred through the real bot and the Bot API sandbox, as contacts replying to their
  nudge: no exception escapes (every update handled, the sandbox has no errors, nobody is told
  "出错了"), what is stored is what was sent, byte for byte, or the contact was told why not,
  and the database passes `PRAGMA integrity_check`.
- Telegram caps a message at 4096 characters: a reply of exactly 4096 is stored whole; a
  longer one never reaches a bot (Telegram refuses it, and its apps split long texts).

Each prints its figures: examples tried, stored, refused by reason, time.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from string import Formatter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.replies import TEXT_LIMIT, read_progress
from plans.targets import find_targets
from render.texts import ZH
from sandbox import BotApiSandbox, SandboxUser, parse_html
from tests.e2e_support import TOKEN, TZ, World
from tests.figures import Figures
from tests.test_authorization import UpdatesHandled, updates_handled

TODAY = date(2023, 12, 25)
TELEGRAM_LIMIT = 4096  # characters in one message
PURE_EXAMPLES = 2_000  # bench/hostile_bench.py: 10,000 and more
PER_EXAMPLE = 50
BOT_EXAMPLES = 500

# ---------------------------------------------------------------------------- what people send

EMOJI = ["👍", "👍🏽", "👨‍👩‍👧", "🇨🇳", "✅", "❌", "🔥", "😂", "🙏", "⚠️", "1️⃣", "©️", "🈶"]
BIDI = [
    "\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "مرحبا", "שלום", "٣٠٪",
]  # fmt: skip
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164"]
CONTROL = [chr(c) for c in [*range(32), 127, *range(0x80, 0xA0)]]
HTML = [
    "<b>", "</b>", "<i>完成</i>", "<script>alert(1)</script>", "&amp;", "&lt;", "&gt;",
    "&#60;", '<a href="javascript:alert(1)">', "<tg-spoiler>", "</code>", "<pre>", "<", ">",
    "&", "<b>60%</b>",
]  # fmt: skip
SQL = [
    "'; DROP TABLE reports; --", '" OR 1=1 --', "' OR ''='", "%", "_", "\\", "NULL",
    "/*", "*/", "; VACUUM;", "%s", "?", ":name", "$1",
]  # fmt: skip
SIGNS = ["-", "+", "−", "－", "—", "~", "±", "‐", "⁻", "–"]
REFS = [
    "第24项", "第999项", "第1000项", "第12项", "第27项", "24.", "12 ", "4、", "#4", "2-15",
    "1-12", "第二十四项", "第 12 项", "第12项:", "12.", "9999 ",
]  # fmt: skip
WORDS = [
    "完成60%", "已完成", "完成", "推进中", "有困难:资金未到位", "预计11月底完成", "收到",
    "好的", "申请延期至3月底,原因是资金未到位", "-30%", "100%", "过半", "六成",
    "已净增高企320家", "未完成", "基本完成", "2023-12-15", "done", "60% done", "0%",
    "150%", "完成120%", "进度 60 %", "６０％",
]  # fmt: skip
SPACE = [" ", "\u3000", "\t", "\n", "\r\n", "\r", "\u00a0", "\u2028", "\u2029", "\u0085"]

ANY_CHARACTER = st.characters(codec="utf-8")  # anything but lone surrogates (not text)
PIECE = st.one_of(
    st.sampled_from(EMOJI),
    st.sampled_from(BIDI),
    st.sampled_from(INVISIBLE),
    st.sampled_from(CONTROL),
    st.sampled_from(HTML),
    st.sampled_from(SQL),
    st.sampled_from(SIGNS),
    st.sampled_from(REFS),
    st.sampled_from(WORDS),
    st.sampled_from(SPACE),
    st.text(ANY_CHARACTER, max_size=12),
)
SHORT = st.lists(PIECE, max_size=8).map("".join)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """Up to 10 KB: a reply repeated to a length drawn around Telegram's limit or beyond."""
    unit = draw(SHORT.filter(bool))
    size = draw(
        st.one_of(
            st.sampled_from([TELEGRAM_LIMIT - 1, TELEGRAM_LIMIT, TELEGRAM_LIMIT + 1, 10_240]),
            st.integers(1000, 10_240),
        )
    )
    return (unit * (size // len(unit) + 1))[:size]


@st.composite
def replies(draw: st.DrawFn) -> str:
    """A reply: short mostly, long (up to 10 KB) about one time in fifty."""
    if draw(st.integers(0, 99)) < 2:
        return draw(long_texts())
    return draw(SHORT)


MINUS = ["-", "−", "－", "⁻"]  # a minus, as people type it
FULL = str.maketrans("０１２３４５６７８９", "0123456789")

HYPOTHESIS = settings(
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Kept(logging.Handler):
    """Log records, kept to look at."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def reader_failures() -> Iterator[list[logging.LogRecord]]:
    """What the reader logs when it failed inside and answered "not understood" instead."""
    logger = logging.getLogger("plans.replies.reader")
    kept = Kept()
    logger.addHandler(kept)
    try:
        yield kept.records
    finally:
        logger.removeHandler(kept)


TARGETS = find_targets("净增高企600家以上,研发投入占比达到3.35%")


# ---------------------------------------------------------------------------- the pure reader


def reader_run(examples: int) -> tuple[Counter[str], float]:
    """Read `examples` hostile replies (hypothesis, fixed seed), asserting on each; the counts
    of what the reader made of them, and the seconds it took."""
    seen: Counter[str] = Counter()
    started = time.perf_counter()

    # 50 replies an example: hypothesis's own work per example is then spread thin
    @settings(HYPOTHESIS, max_examples=max(1, examples // PER_EXAMPLE))
    @given(
        texts=st.lists(replies(), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE),
        with_targets=st.booleans(),
    )
    def read(texts: list[str], with_targets: bool) -> None:
        for text in texts:
            seen["tried"] += 1
            reading = read_progress(text, targets=TARGETS if with_targets else (), today=TODAY)
            assert not failures, f"the reader failed inside on {text[:200]!r}"
            assert reading.text == text, text[:200]  # kept exactly
            assert reading.percent is None or 0 <= reading.percent <= 100, (reading, text)
            assert reading.cut == (len(text) > TEXT_LIMIT), text[:200]
            assert reading.status in (None, "not_started", "in_progress", "done", "blocked")
            assert reading.expected_date is None or isinstance(reading.expected_date, date)
            for outcome in ("understood", "acknowledgement", "several_items", "cut"):
                seen[outcome] += bool(getattr(reading, outcome))
            seen["negative_percent"] += "negative_percent" in reading.doubts

    with reader_failures() as failures:
        read()
    return seen, time.perf_counter() - started


def reader_figures(seen: Counter[str], elapsed: float) -> str:
    return (
        f"reader: {seen['tried']} hostile replies in {elapsed:.1f} s, none failed inside,"
        f" every text kept exactly; understood {seen['understood']}, acknowledgement"
        f" {seen['acknowledgement']}, several items {seen['several_items']}, negative"
        f" percent {seen['negative_percent']}, over {TEXT_LIMIT} characters (cut) {seen['cut']}"
    )


def test_the_reader_holds_on_hostile_replies(figures: Figures) -> None:
    seen, elapsed = reader_run(PURE_EXAMPLES)
    with figures():
        print("\n" + reader_figures(seen, elapsed))
    assert seen["tried"] >= PURE_EXAMPLES * 0.95  # hypothesis ran them, not a handful
    assert seen["cut"] > 0 and seen["several_items"] > 0 and seen["negative_percent"] > 0


@settings(HYPOTHESIS, max_examples=400)
@given(
    sign=st.sampled_from(MINUS),
    n=st.integers(1, 100),
    before=st.sampled_from(["", "完成", "进度", "同比", "较上月"]),
)
def test_a_minus_percent_is_never_progress(sign: str, n: int, before: str) -> None:
    reading = read_progress(f"{before}{sign}{n}%", today=TODAY)
    assert reading.percent is None and "negative_percent" in reading.doubts


@settings(HYPOTHESIS, max_examples=500)
@given(
    reply=st.sampled_from(WORDS),
    marks=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(INVISIBLE)), max_size=4),
)
def test_invisible_marks_change_nothing_read(reply: str, marks: list[tuple[int, str]]) -> None:
    """Zero-width spaces and joiners, BOM, soft hyphens, bidi marks: as if they were not there
    (but for one inside a number at the start: see the next test)."""
    marked = reply
    for at, mark in marks:
        at = min(at, len(marked))
        if 0 < at < len(marked) and marked[at - 1].isdigit() and marked[at].isdigit():
            continue
        marked = marked[:at] + mark + marked[at:]
    plain, read = (read_progress(t, today=TODAY) for t in (reply, marked))
    assert read.text == marked
    assert (read.status, read.percent, read.expected_date, read.acknowledgement) == (
        plain.status,
        plain.percent,
        plain.expected_date,
        plain.acknowledgement,
    ), (reply, marked)


@pytest.mark.parametrize("reply", ["6\u200b0%", "６\u200b０％", "６\u00ad０％", "1\u200d00%"])
def test_an_invisible_mark_inside_a_leading_number(reply: str) -> None:
    reading = read_progress(reply, today=TODAY)
    assert (reading.item_refs, reading.percent) == (
        (),
        float(re.sub(r"\D", "", reply.translate(FULL))),
    )


@settings(HYPOTHESIS, max_examples=500)
@given(
    first=st.integers(1, 999),
    second=st.integers(1, 999),
    between=st.sampled_from(["", " ", ",", "、", "\u200b", "和"]),
    word=st.sampled_from(WORDS),
)
def test_two_items_named_are_several(first: int, second: int, between: str, word: str) -> None:
    """ "第24项 第999项完成" is not item 24's report: the bot asks which item."""
    if first == second:
        return
    reading = read_progress(f"第{first}项{between}第{second}项{word}", today=TODAY)
    assert reading.several_items, (first, second, between, word)
    assert {str(first), str(second)} <= set(reading.item_refs)


def test_a_four_digit_item_is_an_item_too() -> None:
    reading = read_progress("第1项第1000项完成60%", today=TODAY)
    assert reading.several_items and "1000" in reading.item_refs


# ---------------------------------------------------------------------------- through the bot

# Units with one item each: a reply to their nudge is about that item unless it names another.
ONE_ITEM_UNITS = ("局引智处", "局机关纪委", "局办公室")
CONTACTS_PER_UNIT = 2
# What the bot may answer instead of recording a reply, by catalog key: each says why.
REASONS = (
    "ack_hint",
    "which_item",
    "which_item_none",
    "item_unknown",
    "item_ambiguous",
    "item_not_yours",
    "extend_sent",
    "extend_which",
    "extend_ongoing",
    "extend_no_date",
    "extend_no_reason",
    "extend_not_later",
)


@pytest.fixture(autouse=True)
def sends_unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram's 30 messages a second (exercised in test_delivery and the benchmarks) would make
    the few hundred replies take as many seconds: `world` reads the bot's rate from here, and the
    test lifts the sandbox's limit."""
    monkeypatch.setenv("DUBAN_SEND_RATE", "2000")


def telegram_sendable(text: str) -> bool:
    """What a person can send as a reply: not blank, within Telegram's limit, and not a command
    (those are the authorisation matrix's business)."""
    return bool(text.strip()) and len(text) <= TELEGRAM_LIMIT and not text.startswith("/")


def generated_replies(count: int) -> list[str]:
    """`count` replies from the same strategy as the reader's, the same on every run."""
    texts: list[str] = []

    @settings(HYPOTHESIS, max_examples=count)
    @given(text=replies().filter(telegram_sendable))
    def collect(text: str) -> None:
        texts.append(text)

    collect()
    return texts


def reason_needle(key: str) -> str:
    """The longest fixed part of a catalog text, as the person sees it."""
    template = ZH[key]
    fields = {name: "\x00" for _, name, _, _ in Formatter().parse(template) if name}
    shown = parse_html(template.format(**fields)).text
    return max((part.strip() for part in shown.split("\x00")), key=len)


@dataclass
class Tally:
    stored: int = 0
    empty_refused: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


async def reply_all(
    w: World,
    handled: UpdatesHandled,
    contact: SandboxUser,
    nudge: dict[str, Any],
    texts: list[str],
    tally: Tally,
) -> None:
    """One contact answers its nudge with each text in turn, as a person would."""
    needles = {key: reason_needle(key) for key in REASONS}
    for text in texts:
        mark = max(int(m["message_id"]) for m in w.sb.messages(contact.id))
        try:
            sent = contact.send_text(contact.id, text, reply_to=nudge)
        except ValueError:  # nothing but spaces: Telegram's apps do not send it
            tally.empty_refused += 1
            continue
        update = w.sb.pending_updates[-1]
        assert update["message"]["message_id"] == sent["message_id"]
        assert sent["text"] == text, "the sandbox changed what was typed"
        outcome = await handled.wait(int(update["update_id"]))
        answer = "\n".join(m["text"] or "" for m in w.sb.sent(contact.id) if m["message_id"] > mark)
        rows = await w.rows(
            "SELECT text FROM reports WHERE chat_id = ? AND message_id = ?",
            (contact.id, sent["message_id"]),
        )
        shown = repr(text[:120])
        if outcome != "ok":
            tally.problems.append(f"the update {outcome}: {shown}")
        if "出错了" in answer:
            tally.problems.append(f"told of an error: {shown}")
        if rows:
            tally.stored += 1
            if rows != [(sent["text"],)]:
                tally.problems.append(f"stored {rows[0][0][:120]!r} for {shown}")
            if "已记录" not in answer:
                tally.problems.append(f"stored but not confirmed: {shown} → {answer[:80]!r}")
            continue
        reason = next((key for key, needle in needles.items() if needle in answer), None)
        if reason is None:
            tally.problems.append(f"not stored and not told why: {shown} → {answer[:80]!r}")
        else:
            tally.reasons[reason] += 1


async def test_hostile_replies_through_the_bot(world: World, figures: Figures) -> None:
    w = world
    w.sb.limits.global_limit = None
    assert w.svc.settings.send_rate == 2000
    texts = generated_replies(BOT_EXAMPLES)
    # the boundary: exactly Telegram's limit, stored whole; and blank ones, never sent
    texts[len(texts) // 2] = ("完成60%,预计11月底完成。" + "进展顺利" * TELEGRAM_LIMIT)[
        :TELEGRAM_LIMIT
    ]
    texts[1::100] = [" ", "\n\t", "\u3000", "\r\n", " \u2028 "][: len(texts[1::100])]
    contacts: list[tuple[SandboxUser, dict[str, Any]]] = []
    for unit in ONE_ITEM_UNITS:
        for k in range(CONTACTS_PER_UNIT):
            contact = w.sb.create_user(f"{unit}联络{k + 1}")
            await w.join(contact, unit)
            contacts.append((contact, {}))
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    for contact, nudge in contacts:
        found = [m for m in w.sb.sent(contact.id) if "【督办提醒】" in (m["text"] or "")]
        assert len(found) == 1, contact
        nudge.update(found[0])

    tally = Tally()
    started = time.perf_counter()
    with updates_handled(w) as handled:
        await asyncio.gather(
            *(
                reply_all(w, handled, contact, nudge, texts[k :: len(contacts)], tally)
                for k, (contact, nudge) in enumerate(contacts)
            )
        )
    elapsed = time.perf_counter() - started
    (integrity,) = await w.rows("PRAGMA integrity_check")
    foreign = await w.rows("PRAGMA foreign_key_check")
    whole = await w.rows("SELECT count(*) FROM reports WHERE length(text) = ?", (TELEGRAM_LIMIT,))
    failed_calls = [(c.method, c.status) for c in w.sb.calls if (c.status or 0) >= 400]

    told = ", ".join(f"{key} {n}" for key, n in tally.reasons.most_common())
    with figures():
        print(
            f"\nthrough the bot: {len(texts)} hostile replies from {len(contacts)} contacts in"
            f" {elapsed:.1f} s; stored byte for byte {tally.stored}; told why not: {told};"
            f" refused by Telegram (blank) {tally.empty_refused}; problems"
            f" {len(tally.problems)}; integrity_check {integrity[0]}"
        )
    assert not tally.problems, "\n".join(tally.problems[:20])
    assert tally.stored + sum(tally.reasons.values()) + tally.empty_refused == len(texts)
    assert tally.stored >= len(texts) // 4, "hardly anything was stored: the test tests little"
    assert whole == [(1,)], "the reply of exactly 4096 characters was not stored whole"
    assert integrity == ("ok",) and foreign == []
    assert not failed_calls, failed_calls[:10]
    assert not w.sb.errors


async def test_a_reply_over_telegrams_limit_never_reaches_the_bot() -> None:
    async with BotApiSandbox(token=TOKEN) as sb:
        person = sb.create_user("话多的联络员")
        person.send_text("完" * TELEGRAM_LIMIT)  # the limit itself is fine
        with pytest.raises(ValueError):
            person.send_text("完" * (TELEGRAM_LIMIT + 1))
