"""What a reply says, as duban understood it: the `ProgressReading` every rule contributes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from plans.model import Status

# What the reader noticed and would not record, so the bot can say so or ask:
# - "several_items": the reply names more than one item ("第24项 第999项完成", "第4、5项已完成");
#   it must not become one item's report without asking which.
# - "negative_percent": "-30%" is not progress; the text is kept, no percent is recorded.
# - "cut": the reply was longer than `TEXT_LIMIT`; only its beginning was read.
Doubt = Literal["several_items", "negative_percent", "cut"]

# A reply is read up to Telegram's own cap on a message; a longer text is read this far and the
# reading says it was cut (`ProgressReading.cut`), so that a pasted document can't make reading
# slow and the contact can be told.
TEXT_LIMIT = 4096


@dataclass(frozen=True)
class ProgressReading:
    """What a progress reply says, as far as duban understood it.

    `text` is the reply exactly as it was sent — the reader never alters what is stored. `body` is
    the reply after its address (a leading item reference such as "第4项" or "4、"), for showing.
    """

    status: Status | None  # None: the reply does not say
    percent: float | None  # 0..100: stated ("完成60%", "六成", "过半"), 100 when done, or derived
    value: float | None  # a number that matched a target's measure ("已净增高企320家" → 320)
    measure: str | None  # that measure ("家"), as written in the target
    target_text: str | None  # the target it was matched to ("600家以上")
    expected_date: date | None  # "预计11月底完成", "延期至2023年12月15日", "下周五前"
    expected_text: str  # the phrase the date came from, "" if none
    blocker: str  # the difficulty, for status blocked ("资金未到位"), else ""
    item_refs: tuple[str, ...]  # item references: "4 完成60%" → ("4",), "2-15 已完成" → ("2-15",)
    text: str  # the reply exactly as sent
    body: str = ""  # the reply after its leading item reference(s), as written
    acknowledgement: bool = False  # "收到", "好的", "👌": not a report at all
    doubts: tuple[Doubt, ...] = field(default=())

    @property
    def understood(self) -> bool:
        """Whether the reply said anything duban can record beyond its text."""
        return (
            self.status is not None
            or self.percent is not None
            or self.value is not None
            or self.expected_date is not None
        )

    @property
    def several_items(self) -> bool:
        """The reply names more than one item: ask which, don't record it against the first."""
        return "several_items" in self.doubts

    @property
    def cut(self) -> bool:
        """The reply was longer than `TEXT_LIMIT` characters and only its beginning was read."""
        return "cut" in self.doubts


def empty(
    text: str,
    item_refs: tuple[str, ...] = (),
    *,
    body: str | None = None,
    acknowledgement: bool = False,
    doubts: tuple[Doubt, ...] = (),
) -> ProgressReading:
    """A reading that understood nothing (or only that the reply is an acknowledgement)."""
    return ProgressReading(
        status=None,
        percent=None,
        value=None,
        measure=None,
        target_text=None,
        expected_date=None,
        expected_text="",
        blocker="",
        item_refs=item_refs,
        text=text,
        body=text if body is None else body,
        acknowledgement=acknowledgement,
        doubts=doubts,
    )
