"""The importer against the development corpus: 20 real plan texts (tests/data/corpus/*.txt).

Each file is parsed with `plans.documents.sources.parse_file` and compared with what a careful clerk would
copy into the 台账 by reading the text (tests/corpus_expected.py, where every expectation quotes
the text it comes from). The checks are split by concern so the report shows, per file, which
part of the reading is wrong: parsing at all, the year, which items, the fields of each item,
units that must not be units, targets that must not be targets, dates, default units.

Comparisons are loose where the exact form is not the point: item numbers without punctuation
("(一)" ~ "一", "1." ~ "1"), titles by prefix without whitespace or pinyin junk and with
Traditional folded to Simplified, measure words folded the same way.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

import pytest

from plans.documents.parser import PlanFormatError
from plans.documents.sources import parse_file
from plans.model import Item, Plan
from tests.corpus_expected import DOCS, UNCHECKED, YEAR_END, Doc, I, T

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"

# ---------------------------------------------------------------------------- normalising

# Traditional → Simplified for the characters of the Traditional texts (19, 20) and the usual
# measure words; enough to compare titles and measures, not a general converter.
_T2S = str.maketrans(
    "億內兩別剛劉動務區問啟學實寬將屆帶庫廠廣從戶時暢會業標橋決準灣為獎現畝發眾確積篩網縣績繼續"
    "義職腳興舊莊萬蓋蓮補視計訊訓記設調議護財貧費賃資辦農這進遷鄉鎮鏡閉開險隴電項題飲養點"
    "個輛條處張噸頃間餘臺台萬戶",
    "亿内两别刚刘动务区问启学实宽将届带库厂广从户时畅会业标桥决准湾为奖现亩发众确积筛网县绩继续"
    "义职脚兴旧庄万盖莲补视计讯训记设调议护财贫费赁资办农这进迁乡镇镜闭开险陇电项题饮养点"
    "个辆条处张吨顷间余台台万户",
)
# Full-width punctuation as the stored copies fold it.
_FW = str.maketrans("（）：，；．", "():,;.")
# Pinyin injected after a character by a mirror: "會(huì)", "實(shí)".
_PINYIN = re.compile(r"\((?=[^)]*[a-zü])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_SPACE = re.compile(r"[\s\u3000\xa0]+")


def fold(s: str) -> str:
    """Compare-form of a text: no pinyin junk, no whitespace, Simplified, ASCII punctuation."""
    return _SPACE.sub("", _PINYIN.sub("", s)).translate(_T2S).translate(_FW)


def num(label: str) -> str:
    """An item label without its punctuation: "(一)" → "一", "1." → "1", "第一项" → "一"."""
    s = fold(label)
    s = re.sub(r"^第|[项件]$", "", s)
    return re.sub(r"[()\[\]【】〔〕.、,:;·\-]", "", s)


def unit_name(s: str) -> str:
    return fold(s)


def title_ok(title: str, expected: str | tuple[str, ...] | None) -> bool:
    if expected is None:
        return True
    alts = (expected,) if isinstance(expected, str) else expected
    t = fold(title)
    return any(t.startswith(fold(a)) for a in alts)


def same_value(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < 1e-6


def fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


# ---------------------------------------------------------------------------- parsing (once)


def corpus_file(key: str) -> Path:
    matches = [
        p
        for p in sorted(CORPUS.glob(f"{key}_*.txt"))
        if not p.name.endswith(".source.txt") and p.name.split("_", 1)[0] == key
    ]
    assert len(matches) == 1, f"corpus file for {key}: {matches}"
    return matches[0]


@functools.cache
def _parse(key: str) -> Plan | str:
    """The parsed plan, or the PlanFormatError message. Anything else propagates."""
    try:
        return parse_file(corpus_file(key)).plan
    except PlanFormatError as e:
        return f"PlanFormatError: {e}"


def plan_of(doc: Doc) -> Plan:
    got = _parse(doc.key)
    if isinstance(got, str):
        pytest.fail(f"{doc.key} does not parse: {got}")
    return got


BY_KEY = {d.key: d for d in DOCS}
params = pytest.mark.parametrize("doc", DOCS, ids=[d.key for d in DOCS])


def expected_deadline(doc: Doc, e: I) -> str | None:
    if e.deadline == YEAR_END:
        return f"{doc.year}-12-31"
    return e.deadline


def all_expected(doc: Doc) -> list[tuple[I, bool]]:
    out = [(e, False) for e in doc.items]
    if doc.partial is not None:
        out.append((doc.partial, True))
    return out


def match(doc: Doc, items: tuple[Item, ...]) -> list[tuple[I, bool, Item | None]]:
    """Pair each expected item with a parsed one: by number in document order (or by title where
    the document gives no number). One bogus item does not shift every later comparison."""
    out: list[tuple[I, bool, Item | None]] = []
    start = 0
    for e, partial in all_expected(doc):
        found = None
        for k in range(start, len(items)):
            it = items[k]
            if e.number is not None:
                ok = num(it.number) == num(e.number)
            else:
                ok = title_ok(it.title, e.title)
            if ok:
                found = k
                break
        if found is None:
            out.append((e, partial, None))
        else:
            out.append((e, partial, items[found]))
            start = found + 1
    return out


def label(e: I) -> str:
    t = e.title if isinstance(e.title, str) or e.title is None else e.title[0]
    return f"item {e.number or ''}「{t or ''}」"


# ---------------------------------------------------------------------------- the sanity of the
# expectations themselves: every title prefix, target and person is really in the text.


@params
def test_expectations_quote_the_text(doc: Doc) -> None:
    text = fold(corpus_file(doc.key).read_text(encoding="utf-8"))
    problems = []
    for e, _ in all_expected(doc):
        if e.title is not None:
            alts = (e.title,) if isinstance(e.title, str) else e.title
            if not any(fold(a) in text for a in alts):
                problems.append(f"{label(e)}: title not in the text")
        for t in e.targets:
            measures = (t.measure,) if isinstance(t.measure, str) else t.measure
            if not any(fmt(t.value) + fold(m) in text for m in measures):
                problems.append(f"{label(e)}: target {fmt(t.value)}{measures[0]} not in the text")
        for s in e.text_contains:
            if fold(s) not in text:
                problems.append(f"{label(e)}: {s} not in the text")
    for p in doc.persons:
        if fold(p) not in text:
            problems.append(f"person {p} not in the text")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- the parser


@params
def test_parses(doc: Doc) -> None:
    """Every corpus file is a plan the importer must read. A file it cannot read must fail with a
    PlanFormatError of one line (anything else is a crash), but none of these should fail."""
    try:
        parse_file(corpus_file(doc.key))
    except PlanFormatError as e:
        msg = str(e)
        assert "\n" not in msg.strip(), f"PlanFormatError message is not one line: {msg!r}"
        pytest.fail(f"should parse, got PlanFormatError: {msg}")


@params
def test_year(doc: Doc) -> None:
    plan = plan_of(doc)
    assert plan.year == doc.year
    if doc.year_warning:
        # No year in the document: the current year, and one warning line saying so.
        about_year = [
            w for w in plan.warnings if str(doc.year) in w or "year" in w.lower() or "年份" in w
        ]
        assert len(about_year) == 1, f"one warning about the assumed year, got {plan.warnings}"


@params
def test_items_found(doc: Doc) -> None:
    """The complete items, exactly and in order, plus at most the trailing cut-off item; no
    headings, notice sections, attachment lists, header rows or progress text taken as items."""
    items = plan_of(doc).items
    got = [f"{it.number}「{it.title[:12]}」" for it in items]
    n, k = len(items), len(doc.items)
    problems = []
    if doc.partial is None:
        if n != k:
            problems.append(f"expected exactly {k} items, got {n}")
    elif doc.partial_required:
        if n != k + 1:
            problems.append(f"expected {k} complete items and the cut-off one, got {n}")
    elif not k <= n <= k + 1:
        problems.append(f"expected {k} complete items (+1 cut off), got {n}")
    for i, (e, _) in enumerate(all_expected(doc)):
        if i >= n:
            break
        it = items[i]
        if e.number is not None and num(it.number) != num(e.number):
            problems.append(f"position {i + 1}: number {it.number!r}, expected {e.number!r}")
        if not title_ok(it.title, e.title):
            problems.append(f"position {i + 1}: title {it.title[:20]!r}, expected {e.title!r}")
    for it in items:
        if doc.not_numbers and num(it.number) in doc.not_numbers:
            problems.append(f"bogus item numbered {it.number!r}: {it.title[:20]!r}")
        for bad in doc.not_titles:
            if fold(it.title).startswith(fold(bad)):
                problems.append(f"bogus item {it.number!r}: {it.title[:20]!r}")
    assert not problems, "\n".join(problems) + f"\nparsed items: {got}"


@params
def test_item_fields(doc: Doc) -> None:
    """Title, kind, units, deadline, milestones and targets of each expected item."""
    plan = plan_of(doc)
    problems: list[str] = []
    for e, partial, it in match(doc, plan.items):
        if it is None:
            if not partial or doc.partial_required:
                problems.append(f"{label(e)}: not found")
            continue
        problems += [f"{label(e)}: {p}" for p in check_item(doc, e, it)]
    assert not problems, "\n".join(problems)


def check_item(doc: Doc, e: I, it: Item) -> list[str]:
    problems: list[str] = []
    if not title_ok(it.title, e.title):
        problems.append(f"title {it.title[:30]!r} does not start with {e.title!r}")
    if e.kind is not None and it.kind != e.kind:
        problems.append(f"kind {it.kind!r}, expected {e.kind!r}")
    whole = fold(it.title + it.text)
    for s in e.text_contains:
        if fold(s) not in whole:
            problems.append(f"title+text lacks {s!r}")
    problems += check_units(doc, e, it)
    problems += check_dates(doc, e, it)
    problems += check_targets(e, it)
    return problems


def check_units(doc: Doc, e: I, it: Item) -> list[str]:
    if e.units is None:
        return []
    expected = {(unit_name(n), r) for n, r in e.units}
    expected_names = {n for n, _ in expected}
    actual = set()
    for u in it.units:
        name = unit_name(u.name)
        p = doc.unit_prefix
        if p and name not in expected_names and name.startswith(p) and name[len(p) :]:
            stripped = name[len(p) :]
            if stripped in expected_names:
                name = stripped
        actual.add((name, u.role))
    problems = []
    missing = expected - actual
    if missing:
        problems.append(f"missing units {sorted(missing)}")
    if e.units_exact:
        optional = {unit_name(n) for n in e.units_optional}
        extra = {(n, r) for n, r in actual - expected if n not in optional}
        if extra:
            problems.append(f"unexpected units {sorted(extra)}")
    if problems:
        problems.append(f"  units are {[(u.name, u.role) for u in it.units]}")
    return problems


def check_dates(doc: Doc, e: I, it: Item) -> list[str]:
    problems = []
    got = it.deadline.isoformat() if it.deadline else None
    if e.deadline != UNCHECKED:
        want = expected_deadline(doc, e)
        if got != want:
            problems.append(f"deadline {got} ({it.deadline_text!r}), expected {want}")
    if e.deadline_text is not None and e.deadline_text not in it.deadline_text:
        problems.append(f"deadline_text {it.deadline_text!r} should say {e.deadline_text!r}")
    dates = {m.date.isoformat() for m in it.milestones}
    for spec in e.milestones:
        alts = (spec,) if isinstance(spec, str) else spec
        if not any(d in dates or d == got for d in alts):
            problems.append(
                f"milestone {' or '.join(alts)} missing; milestones are {sorted(dates)}"
            )
    return problems


def _target_str(t: object) -> str:
    return f"{fmt(t.value)}{t.measure}{t.op}"  # type: ignore[attr-defined]


def has_target(it: Item, t: T) -> bool:
    measures = {fold(m) for m in ((t.measure,) if isinstance(t.measure, str) else t.measure)}
    return any(
        same_value(x.value, t.value)
        and fold(x.measure) in measures
        and (t.op is None or x.op == t.op)
        for x in it.targets
    )


def is_forbidden(x: object, bad: float | tuple[float, str]) -> bool:
    value, measure = x.value, x.measure  # type: ignore[attr-defined]
    if isinstance(bad, tuple):
        return same_value(value, bad[0]) and fold(measure) == fold(bad[1])
    return same_value(value, bad)


def check_targets(e: I, it: Item) -> list[str]:
    problems = []
    for t in e.targets:
        if not has_target(it, t):
            want = f"{fmt(t.value)}{t.measure if isinstance(t.measure, str) else t.measure[0]}"
            problems.append(f"target {want}{' ' + t.op if t.op else ''} missing")
    if e.no_targets and it.targets:
        problems.append("has no quantitative target")
    for x in it.targets:
        for bad in e.not_targets:
            if is_forbidden(x, bad):
                problems.append(f"{x.text!r} ({_target_str(x)}) is not a target")
    if problems:
        problems.append(f"  targets are {[_target_str(x) for x in it.targets]}")
    return problems


# ---------------------------------------------------------------------------- document-wide

_NOT_IN_A_NAME = (
    "按职责",
    "负责",
    "等部门",
    "牵头单位",
    "配合单位",
    "责任单位",
    "参与单位",
    "协办单位",
    "责任人",
    "牵头领导",
    "责任领导",
    "以下",
    "不再",
    "列第一位",
    "下同",
    "预期性",
    "约束性",
    ":",
    ";",
)


@params
def test_no_false_units(doc: Doc) -> None:
    """No person or role, no label or tail (等, 按职责分工负责), no half of a split name."""
    problems = []
    for it in plan_of(doc).items:
        seen: dict[str, str] = {}
        for u in it.units:
            name = unit_name(u.name)
            why = []
            if len(name) < 2 or len(name) > 25:
                why.append("length")
            if re.search(r"\d", name):
                why.append("digit")
            if name.count("(") != name.count(")"):
                why.append("unbalanced parenthesis")
            why += [f"contains {w}" for w in _NOT_IN_A_NAME if w in name]
            if name.endswith(("等", "牵头", "配合", "参与")):
                why.append("tail")
            why += [f"person/role {p}" for p in doc.persons if fold(p) in name]
            if name in {unit_name(n) for n in doc.not_units}:
                why.append("not a unit")
            if name in seen:
                why.append(f"listed twice ({seen[name]}, {u.role})")
            seen[name] = u.role
            if why:
                problems.append(f"{it.number} {u.name!r}: {', '.join(why)}")
    assert not problems, "\n".join(problems)


@params
def test_no_false_targets(doc: Doc) -> None:
    """Years, dates, list labels, references, scores and progress figures are not targets."""
    problems = []
    plan = plan_of(doc)
    for it in plan.items:
        for x in it.targets:
            if doc.targets_none:
                problems.append(f"{it.number}: {x.text!r} — no item here has a target")
            for bad in doc.not_targets:
                if is_forbidden(x, bad):
                    problems.append(f"{it.number}: {x.text!r} ({_target_str(x)}) is not a target")
            if fold(x.measure) in {"", "年"} and 1990 <= x.value <= 2040:
                problems.append(f"{it.number}: {x.text!r} ({_target_str(x)}) is a year")
    assert not problems, "\n".join(problems)


@params
def test_dates_in_plan_span(doc: Doc) -> None:
    """No deadline or milestone before the plan year (the notice's own date is not one) and none
    past a five-year horizon (2035 远景目标 is not a deadline)."""
    plan = plan_of(doc)
    lo, hi = date(doc.year, 1, 1), date(doc.year + 5, 12, 31)
    problems = []
    for it in plan.items:
        dates = [("deadline", it.deadline)] if it.deadline else []
        dates += [(f"milestone {m.text!r}", m.date) for m in it.milestones]
        for what, d in dates:
            if not lo <= d <= hi:
                problems.append(f"{it.number}: {what} {d} outside {lo}..{hi}")
    assert not problems, "\n".join(problems)


@params
def test_default_units(doc: Doc) -> None:
    """Units a notice makes responsible for every item (11: 除特别注明的外…都是配合单位;
    18: 以下均需各县市区落实,不再逐一列出); none where the text has no such note."""
    plan = plan_of(doc)
    got = {unit_name(u) for u in plan.default_units}
    if doc.default_units is not None:
        assert got == {unit_name(u) for u in doc.default_units}
    missing = {unit_name(u) for u in doc.default_units_include} - got
    assert not missing, f"default units {sorted(got)} lack {sorted(missing)}"
    for it in plan.items:
        names = {unit_name(u.name) for u in it.units}
        assert got <= names, f"item {it.number} lacks default units {sorted(got - names)}"


def test_twelve_and_twelve_b_read_alike() -> None:
    """12 (one cell per line) and 12b (pipe rows) are the same page: the same items."""
    a, b = plan_of(BY_KEY["12"]), plan_of(BY_KEY["12b"])

    def shape(p: Plan) -> list[tuple[object, ...]]:
        return [
            (
                num(i.number),
                fold(i.title),
                sorted((unit_name(u.name), u.role) for u in i.units),
                i.deadline,
                sorted((t.value, fold(t.measure), t.op) for t in i.targets),
            )
            for i in p.items
        ]

    # The last row is cut at a different place in the two copies: compare the complete rows.
    k = len(BY_KEY["12"].items)
    assert a.year == b.year
    assert shape(a)[:k] == shape(b)[:k]
