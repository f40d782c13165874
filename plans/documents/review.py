"""The import review: what duban was unsure of when it read a plan, and how to fix it.

A coordinator must be able to trust an import before inviting anyone. `review_plan` looks at a
plan's items (as parsed, or as stored now, so a fix makes its finding go away) and returns the
findings as data; `review_lines` renders them through the message catalog, compactly, with the
fix commands at hand (`/assign`, `/merge`, `/rename` in chat; `duban units …` on the command
line). No SQL, no Telegram here.

Findings: items without any unit; unit names that look like a fragment or another spelling of
another unit ("区科技局" inside "各辖市、区科技局", "市科技局" vs "区科技局"), names that do not
look like a whole unit name ("区住房" cut at 和, an unclosed bracket), names seen only once;
items without a deadline phrase (Dec 31 was assumed); items with many numbers read as targets;
text the importer read but did not take as items (`Plan.skipped`); and the parser's warnings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from plans.documents.unit_aliases import aliases_for, unit_key
from plans.model import Item

MANY_TARGETS = 4  # an item with this many numbers read as targets is worth a second look
LONG_NAME = 20  # characters: longer "unit names" are usually a sentence caught in the list
LINES_PER_KIND = 5  # look-alike and odd names shown before "… N more"
NAMES_SHOWN = 8  # names (or items) on a one-line list before "… N more"
SKIPPED_SHOWN = 3
WARNINGS_SHOWN = 3
RANGES_SHOWN = 12  # runs of item numbers ("1–4") on one line before "…"
SKIPPED_CHARS = 60
NAME_CHARS = 30

# Prefixes that make two spellings of one unit differ only in where they sit (市/区/局 …).
_PREFIX_CHARS = "各市区县省局本"
# Last characters of a whole unit name (局, 委, 办, 处, 中心, 单位, 部门, 机关, 公司 …).
_UNIT_ENDINGS = set(
    "局委办处科室股心会部厅院所站队组司团府道镇乡村馆校社行署庭台园区县市省位门关构业网厂场库港"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
# The parser's own "N items name no unit: …" warning: the review recomputes that from what is
# stored now, so the recorded warning would outlive the fix.
_NO_UNIT_WARNING = re.compile(r"\bitems? names? no unit\b", re.I)

Why = Literal["contained", "prefix"]
Fix = Literal["chat", "cli"]


@dataclass(frozen=True)
class UnitUse:
    """A unit name and the items (by seq) that name it."""

    name: str
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class LookAlike:
    """`name` may be another spelling of `other` (fold `name` into `other` if so)."""

    name: str
    other: str
    why: Why
    seqs: tuple[int, ...]  # the items naming `name`
    other_seqs: tuple[int, ...]


@dataclass(frozen=True)
class Review:
    """What an import was unsure of. Item numbers are seqs within the plan."""

    year: int
    item_count: int
    no_unit: tuple[int, ...] = ()
    look_alikes: tuple[LookAlike, ...] = ()
    odd_names: tuple[UnitUse, ...] = ()
    once: tuple[UnitUse, ...] = ()
    no_deadline: tuple[int, ...] = ()
    many_targets: tuple[tuple[int, int], ...] = ()  # (seq, number of targets)
    skipped: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Nothing to check."""
        return not (
            self.no_unit
            or self.look_alikes
            or self.odd_names
            or self.once
            or self.no_deadline
            or self.many_targets
            or self.skipped
            or self.warnings
        )


# ---------------------------------------------------------------------------- findings


def review_plan(
    items: Sequence[Item],
    *,
    year: int,
    skipped: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> Review:
    """Review a plan's items (parsed, or as stored with the directory's unit names)."""
    uses = unit_uses(items)
    look_alikes = find_look_alikes(uses)
    doubtful = {a.name for a in look_alikes}
    odd = tuple(u for u in uses if u.name not in doubtful and looks_odd(u.name))
    doubtful |= {u.name for u in odd}
    doubtful |= {a.other for a in look_alikes}
    return Review(
        year=year,
        item_count=len(items),
        no_unit=tuple(i.seq for i in items if not i.units),
        look_alikes=look_alikes,
        odd_names=odd,
        once=tuple(u for u in uses if len(u.seqs) == 1 and u.name not in doubtful),
        no_deadline=tuple(i.seq for i in items if not i.deadline_text),
        many_targets=tuple(
            (i.seq, len(i.targets)) for i in items if len(i.targets) >= MANY_TARGETS
        ),
        skipped=tuple(s for s in skipped if s.strip()),
        warnings=tuple(w for w in warnings if w.strip() and not _NO_UNIT_WARNING.search(w)),
    )


def unit_uses(items: Iterable[Item]) -> tuple[UnitUse, ...]:
    """Every unit name on the items with the items naming it, in order of first appearance."""
    seqs: dict[str, list[int]] = {}
    for item in items:
        for ref in item.units:
            found = seqs.setdefault(ref.name, [])
            if item.seq not in found:
                found.append(item.seq)
    return tuple(UnitUse(name, tuple(s)) for name, s in seqs.items())


def find_look_alikes(uses: Sequence[UnitUse]) -> tuple[LookAlike, ...]:
    """Names that may be a fragment or another spelling of another name, one finding per
    doubtful name: the one to fold in is the less used (then the shorter) of the two."""
    found: dict[str, LookAlike] = {}
    for k, a in enumerate(uses):
        for b in uses[k + 1 :]:
            why = _likeness(a.name, b.name)
            if why is None:
                continue
            fold, keep = (a, b) if _rank(a) < _rank(b) else (b, a)
            prior = found.get(fold.name)
            if prior is None or len(keep.seqs) > len(prior.other_seqs):
                found[fold.name] = LookAlike(fold.name, keep.name, why, fold.seqs, keep.seqs)
    seqs = {u.name: u.seqs for u in uses}
    return tuple(_chain_end(a, found, seqs) for a in found.values())


def _chain_end(
    a: LookAlike, found: dict[str, LookAlike], seqs: dict[str, tuple[int, ...]]
) -> LookAlike:
    """A name folded into a name that is itself folded (区 → 区科技局 → 各辖市、区科技局) is
    offered the end of the chain, where its fold would land anyway."""
    other, seen = a.other, {a.name}
    while other in found and other not in seen:
        seen.add(other)
        other = found[other].other
    if other in seen or other == a.other:
        return a
    return LookAlike(a.name, other, a.why, a.seqs, seqs[other])


def looks_odd(name: str) -> bool:
    """A name that does not look like a whole unit: an unclosed bracket, a sentence, a piece
    cut off at 和 ("区住房"), or not ending as unit names end (局, 委, 处, 中心, 单位 …)."""
    text = unicodedata.normalize("NFKC", name)
    if text.count("(") != text.count(")") or len(text) > LONG_NAME:
        return True
    core = _TRAILING_NOTE.sub("", text)
    return len(core) < 2 or core[-1] not in _UNIT_ENDINGS


def _likeness(a: str, b: str) -> Why | None:
    """Why two names may be one unit: one holds the other, or they differ only by a prefix.
    None when they are unrelated, or when the unit directory already takes them for one unit
    (局高新处 / 高新处: the import files them under one unit by itself)."""
    if _same_in_directory(a, b):
        return None
    if a in b or b in a:
        return "contained"
    core_a, core_b = _core(a), _core(b)
    if len(core_a) >= 2 and core_a == core_b:
        return "prefix"
    return None


def _same_in_directory(a: str, b: str) -> bool:
    keys_a = {unit_key(a), *(unit_key(x) for x in aliases_for(a))}
    keys_b = {unit_key(b), *(unit_key(x) for x in aliases_for(b))}
    return bool(keys_a & keys_b)


def _core(name: str) -> str:
    """The name without its leading 各/市/区/县/省/局/本."""
    core = unit_key(name)
    while len(core) > 2 and core[0] in _PREFIX_CHARS:
        core = core[1:]
    return core


def _rank(use: UnitUse) -> tuple[int, int]:
    return (len(use.seqs), len(use.name))


# ---------------------------------------------------------------------------- rendering
