"""The reply reader against replies labelled by hand (tests/data/replies/replies.jsonl).

The set is the regression guard: fixing one reply must never change what earlier replies meant.
"Done" must be 100% precise on it (a false done stops the chasing); the other fields must stay at
the accuracy printed, which is asserted a little below what the reader reaches today.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from plans.model import Target
from plans.replies import ProgressReading, read_progress
from plans.targets import find_targets
from tests.figures import Figures

DATA = Path(__file__).parent / "data" / "replies" / "replies.jsonl"
TODAY = date(2023, 10, 10)
STATUSES = {"done", "in_progress", "blocked", "not_started", "ack", "none"}


@dataclass(frozen=True)
class Row:
    line: int
    group: str
    reply: str
    status: str
    targets: tuple[Target, ...]
    today: date
    percent: float | None
    value: tuple[float, str] | None
    expected: date | None
    blocker: str | None
    refs: tuple[str, ...]
    doubts: frozenset[str]
    title: str = ""
    note: str = ""


def _target(text: str) -> Target:
    found = find_targets(text)
    assert len(found) == 1, f"target {text!r} reads as {found}"
    return found[0]


def _value(text: str) -> tuple[float, str]:
    m = re.fullmatch(r"([\d.,]+)(.+)", text)
    assert m, text
    return float(m.group(1).replace(",", "")), m.group(2)


def load() -> list[Row]:
    rows: list[Row] = []
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d: dict[str, Any] = json.loads(line)
        unknown = set(d) - {
            "group", "title", "targets", "today", "reply", "status", "percent", "value",
            "expected", "blocker", "refs", "doubts", "note",
        }  # fmt: skip
        assert not unknown, f"line {n}: unknown fields {unknown}"
        assert d["status"] in STATUSES, f"line {n}: status {d['status']!r}"
        rows.append(
            Row(
                line=n,
                group=d.get("group", ""),
                reply=d["reply"],
                status=d["status"],
                targets=tuple(_target(t) for t in d.get("targets", [])),
                today=date.fromisoformat(d["today"]) if "today" in d else TODAY,
                percent=float(d["percent"]) if "percent" in d else None,
                value=_value(d["value"]) if "value" in d else None,
                expected=date.fromisoformat(d["expected"]) if "expected" in d else None,
                blocker=d.get("blocker"),
                refs=tuple(d.get("refs", ())),
                doubts=frozenset(d.get("doubts", ())),
                title=d.get("title", ""),
                note=d.get("note", ""),
            )
        )
    return rows


ROWS = load()


def read(row: Row) -> ProgressReading:
    return read_progress(row.reply, targets=row.targets, today=row.today)


def status_of(r: ProgressReading) -> str:
    if r.acknowledgement:
        return "ack"
    return r.status or "none"


@dataclass
class Score:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.wrong.append(what)

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0


def score(rows: list[Row]) -> tuple[dict[str, Score], Counter[tuple[str, str]], dict[str, Score]]:
    fields: dict[str, Score] = defaultdict(Score)
    confusion: Counter[tuple[str, str]] = Counter()
    groups: dict[str, Score] = defaultdict(Score)
    for row in rows:
        r = read(row)
        got = status_of(r)
        where = f"line {row.line}: {row.reply!r}"
        confusion[(row.status, got)] += 1
        fields["status"].add(got == row.status, f"{where} → {got}, want {row.status}")
        groups[row.group].add(got == row.status, where)
        pct_ok = (r.percent is None) == (row.percent is None) and (
            row.percent is None or r.percent == pytest.approx(row.percent, abs=0.05)
        )
        fields["percent"].add(pct_ok, f"{where} → {r.percent}, want {row.percent}")
        got_value = (r.value, r.measure) if r.value is not None else None
        fields["value"].add(got_value == row.value, f"{where} → {got_value}, want {row.value}")
        fields["expected"].add(
            r.expected_date == row.expected, f"{where} → {r.expected_date}, want {row.expected}"
        )
        fields["refs"].add(r.item_refs == row.refs, f"{where} → {r.item_refs}, want {row.refs}")
        got_doubts = frozenset(r.doubts)
        fields["doubts"].add(
            got_doubts == row.doubts, f"{where} → {sorted(got_doubts)}, want {sorted(row.doubts)}"
        )
        if row.status == "blocked":
            kept = row.blocker is not None and row.blocker in r.blocker
            fields["blocker kept"].add(kept, f"{where} → {r.blocker!r}, want {row.blocker!r}")
        fields["text as sent"].add(r.text == row.reply, where)
    return fields, confusion, groups


def test_the_set_is_big_and_covers_what_contacts_write() -> None:
    assert len(ROWS) >= 300
    groups = Counter(r.group for r in ROWS)
    for group in ("done", "almost", "step", "negated", "blocked", "ack", "english", "altered"):
        assert groups[group] >= 15, group
    statuses = Counter(r.status for r in ROWS)
    assert all(statuses[s] >= 10 for s in STATUSES), statuses
    assert len({r.reply for r in ROWS}) > 0.95 * len(ROWS), "rows are written, not repeated"


def test_labelled_replies(figures: Figures) -> None:
    fields, confusion, groups = score(ROWS)
    said_done = sum(n for (want, got), n in confusion.items() if got == "done")
    right_done = confusion[("done", "done")]
    labelled_done = sum(n for (want, _), n in confusion.items() if want == "done")
    precision = right_done / said_done if said_done else 1.0
    recall = right_done / labelled_done if labelled_done else 1.0

    started = time.perf_counter()
    rounds = 3
    for _ in range(rounds):
        for row in ROWS:
            read(row)
    rate = rounds * len(ROWS) / (time.perf_counter() - started)

    with figures():
        print(f"\nlabelled replies: {len(ROWS)}  ·  reader speed {rate:,.0f} replies/s")
        print(f"  done precision {precision:.1%} ({right_done}/{said_done})  recall {recall:.1%}")
        for name, s in fields.items():
            print(f"  {name:<13} {s.rate:7.1%}  ({s.right}/{s.total})")
        print("  status by group: " + ", ".join(f"{g} {s.rate:.0%}" for g, s in groups.items()))
        for name, s in fields.items():
            for what in s.wrong:
                print(f"  ✗ {name}: {what}")

    false_done = [
        f"line {row.line}: {row.reply!r} (want {row.status})"
        for row in ROWS
        if row.status != "done" and status_of(read(row)) == "done"
    ]
    assert not false_done, "a false done stops the chasing:\n" + "\n".join(false_done)
    assert precision == 1.0
    assert fields["text as sent"].rate == 1.0, "the reader must not alter the text"
    assert fields["status"].rate >= 0.97
    assert fields["refs"].rate >= 0.98
    assert fields["doubts"].rate >= 0.98
    assert fields["percent"].rate >= 0.95
    assert fields["value"].rate >= 0.95
    assert fields["expected"].rate >= 0.95
    assert fields["blocker kept"].rate >= 0.9


@pytest.mark.parametrize("row", [r for r in ROWS if r.status == "ack"], ids=lambda r: r.reply)
def test_acknowledgements_record_nothing(row: Row) -> None:
    r = read(row)
    assert r.acknowledgement, row.reply
    assert not r.understood
    assert r.status is None and r.percent is None


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r.group in ("almost", "step", "negated")], ids=lambda r: r.reply
)
def test_almost_steps_and_negations_are_never_done(row: Row) -> None:
    assert read(row).status != "done" or row.status == "done", row.reply
