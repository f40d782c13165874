"""Who answers for an item: the unit annotations of a plan, read as a clerk reads them.

Plans name an item's units in a handful of ways, and a clerk reads each by one rule:
- labelled fields, in brackets or on lines of their own: `(牵头单位:X;配合单位:Y、Z)`,
  `[责任单位:…]`, `牵头单位:X` on the next line; 牵头 names the lead, 配合/参与/协办/协同 the
  support; 责任单位 is the lead unless the same item also names a 牵头单位, then it supports;
- a person or a progress note among the fields (`牵头领导:…`, `项目责任人:…`, `实际完成情况:…`)
  is neither a unit nor part of the task;
- `(X牵头)`, `(X牵头,Y配合)` and `(X、Y等部门按职责分工负责)` closing an item;
- a bracket closing an item that holds nothing but unit names: `(市发改委)`, or unit names and
  when the item is due: `(法规与标准处,2025年9月30日前)`;
- the notice's rules: "列第一位者为牵头单位" (the first listed leads, the rest support),
  "除特别注明的外,X都是配合单位" and "以下均需X落实,不再逐一列出" (X supports every item,
  resp. every later item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plans.deadlines import says_when
from plans.documents.units import expand_siblings, looks_like_unit, split_units
from plans.model import LEAD, SUPPORT, Role, UnitRef

# A label may drop its 单位: "牵头:机关党委;责任:各处室" -- a bare 牵头/责任/配合 before a
# colon, where no word runs into it ("落实主体责任:" is a sentence; 牵头领导 and 责任人 are
# persons, below).
_BARE = r"(?<![\u4e00-\u9fff])"
_LEAD_LABELS = (
    r"牵头责任单位|牵头单位|牵头部门|牵头处室|牵头科室|主责单位|负责单位|承办单位|实施单位|监考单位"
    rf"|{_BARE}牵头|{_BARE}主办|{_BARE}主责"
)
_DUTY_NAMES = ("责任单位", "责任部门", "责任处室", "责任科室", "责任股室", "责任")
_DUTY_LABELS = "|".join(_DUTY_NAMES[:-1]) + rf"|{_BARE}责任"
_SUPPORT_LABELS = (
    r"配合单位|配合部门|配合处室|配合科室|协办单位|参与单位|参与部门|协同单位|协助单位|协作单位"
    rf"|{_BARE}配合|{_BARE}协办|{_BARE}参与"
)
_UNIT_LABELS = rf"{_LEAD_LABELS}|{_DUTY_LABELS}|{_SUPPORT_LABELS}"
_PERSON_LABELS = (
    r"牵头市?领导|责任市?领导|分管市?领导|联系市?领导|项目责任人|责任人|联系人|牵头人|包保领导"
)
_PROGRESS_LABELS = r"实际完成情况|目前完成情况|完成情况|进展情况|工作进展|目前进展"
# When the item is due, written as a field beside the units: "(责任单位:X;完成时限:6月底)".
_WHEN_LABELS = r"完成时限|完成时间|完成期限|时限要求|时间要求|时间节点|办结时限"
_ANY_LABEL = rf"{_UNIT_LABELS}|{_PERSON_LABELS}|{_PROGRESS_LABELS}|{_WHEN_LABELS}"

# One field: its label and what follows up to the next label.
_FIELD = re.compile(rf"({_ANY_LABEL})\s*:\s*")
# A bracket holding fields, at any place in the item; the last may be cut off with the page.
_FIELD_BRACKET = re.compile(
    rf"[(\[【]\s*((?:[^()\[\]【】:]{{0,12}}?[,,;;、]?\s*)?(?:{_ANY_LABEL})\s*:(?:[^()\[\]【】]|\([^()]*\))*)(?:[)\]】]|$)"
)
# Fields on lines of their own or after a sentence: "…。 牵头领导:X 责任单位:Y".
_FIELD_RUN = re.compile(rf"(?:^|(?<=[\n。;;\s]))(?:{_ANY_LABEL})\s*:")
_SUPPORT = re.compile(_SUPPORT_LABELS)
_LEADS = re.compile(_LEAD_LABELS)
_PERSONS = re.compile(rf"^(?:{_PERSON_LABELS})$")
_PROGRESS = re.compile(rf"^(?:{_PROGRESS_LABELS})$")
_WHEN = re.compile(rf"^(?:{_WHEN_LABELS})$")
# (局高新处牵头,各区配合) — the whole bracket is the assignment, nothing else.
_LEAD_BRACKET = re.compile(
    r"[(\[【]([^()\[\]【】]{2,80}?)牵头(?:[,;、]([^()\[\]【】]{2,80}?)(?:配合|参与|协同))?[)\]】]"
)
# (市水利局、市发展改革委等部门按职责分工负责)
_DUTY_BRACKET = re.compile(
    r"[(\[【]([^()\[\]【】]{2,120}?)(?:按(?:照)?职责(?:分工)?(?:分别)?|共同|分别)?负责[)\]】]"
)
_LAST_BRACKET = re.compile(r"[(\[【]((?:[^()\[\]【】]|\([^()]*\)){2,120})[)\]】]$")
# "以下各项均需各辖市、区科技局,常州经开区科技金融局落实,不再单独列出"
_DEFAULT_NOTE = re.compile(
    r"以下(?:各项|各条|所有|全部)?(?:任务|工作|事项)?[^。;]{0,6}?(?:均需|均由|均要|都需|均请|需)"
    r"(.{2,80}?)(?:共同|负责|参与|配合|协同)?(?:落实|负责|配合|参与|承担|推进)"
)
_FIRST_IS_LEAD = re.compile(
    r"(?:排|列)(?:在|于)?(?:第一|首)位[的者]?(?:单位)?(?:的)?(?:为|是)[^,。;)]{0,6}?牵头"
    r"|第一(?:个)?单位为牵头"
)
# "(列第一位者为工作牵头单位或汇总单位,下同)" inside a unit list is a note, not a unit.
_NOTE_BRACKET = re.compile(r"[(\[【][^()\[\]【】]*(?:牵头|下同|汇总)[^()\[\]【】]*[)\]】]")
_ALL_SUPPORT = re.compile(
    r"除(?:特别|另有|另行)?(?:注明|说明|标明)(?:的|者)?(?:以)?外[,,]?(.{2,120}?)(?:都|均)(?:是|为|作为)配合单位"
)


@dataclass(frozen=True)
class NoticeRules:
    """What a plan's notice says about units for all its items."""

    first_is_lead: bool = False
    all_support: tuple[str, ...] = ()  # support units of every item "unless stated otherwise"


def notice_rules(text: str) -> NoticeRules:
    """The unit rules a document states once for all items (read over the whole text)."""
    m = _ALL_SUPPORT.search(text)
    support = tuple(split_units(m.group(1))) if m else ()
    return NoticeRules(first_is_lead=bool(_FIRST_IS_LEAD.search(text)), all_support=support)


@dataclass(frozen=True)
class Assignment:
    """An item's units as its text names them, and the text without the annotations."""

    units: tuple[UnitRef, ...]
    default_note: tuple[str, ...]  # units a "以下各项均需…落实" note makes support of later items
    text: str
    when: str = ""  # a 完成时限 field written beside the units, as written


class _Collector:
    def __init__(self, first_is_lead: bool, year: int) -> None:
        self.first_is_lead = first_is_lead
        self.year = year
        self.found: list[UnitRef] = []
        self.defaults: list[str] = []
        self.when = ""

    def add(self, names: list[str], role: Role) -> None:
        for k, name in enumerate(names):
            r: Role = SUPPORT if (role == LEAD and self.first_is_lead and k > 0) else role
            if name and all(u.name != name for u in self.found):
                self.found.append(UnitRef(name, r))

    def fields(self, segment: str) -> str:
        """Read "牵头单位:X;责任单位:Y,以下均需Z落实…"; return the text that is no field."""
        for note in re.split(r"[。;;]", segment):
            nm = _DEFAULT_NOTE.search(note)
            if nm:
                self.defaults.extend(split_units(nm.group(1)))
        parts = _FIELD.split(segment)
        # parts: [before, label, value, label, value, ...]
        groups: list[tuple[list[str], Role]] = []
        has_lead = any(_LEADS.fullmatch(parts[i]) for i in range(1, len(parts) - 1, 2))
        for i in range(1, len(parts) - 1, 2):
            label, value = parts[i], parts[i + 1]
            if _PERSONS.match(label) or _PROGRESS.match(label):
                continue
            if _WHEN.match(label):
                self.when = self.when or value.strip(" ,,;;。")
                continue
            value = _DEFAULT_NOTE.split(value, maxsplit=1)[0]
            # a note in brackets goes ("(列第一位者为牵头单位)"); a bare (牵头) mark stays
            value = _NOTE_BRACKET.sub(
                lambda n: n.group(0) if _LEAD_MARK.fullmatch(n.group(0)) else "", value
            )
            value, _, rest = value.partition("。")
            if says_when(rest, self.year):  # "责任:各处室。全年。": when it is due, after the units
                self.when = self.when or rest.strip(" ,,;;。")
            value = re.sub(r"^[^:]{0,8}?性指标[,,]", "", value)
            role: Role = (
                SUPPORT if _SUPPORT.fullmatch(label) or (has_lead and label in _DUTY) else LEAD
            )
            value = value.strip(" ,,;;")
            if _LEAD_MARK.search(value):  # "住建局(牵头)、财政局": the marked one leads
                groups += [(_unit_run(part), r) for part, r in _marked(value)]
            else:
                groups.append((_unit_run(value), role))
        # "牵头单位:局规划处,配合单位:农社处": the support list abbreviates like the lead list.
        expanded = iter(expand_siblings([n for names, _ in groups for n in names]))
        for names, role in groups:
            self.add([next(expanded) for _ in names], role)
        return parts[0]


_DUTY = set(_DUTY_NAMES)


def _unit_run(value: str) -> list[str]:
    """The units a field lists: its names up to the first that is no unit (a table that follows
    on the same line, a cut-off fragment)."""
    names: list[str] = []
    for name in split_units(value):
        if len(name) < 2 or (names and not (looks_like_unit(name) or name.startswith("各"))):
            break
        names.append(name)
    return names


def extract_units(text: str, first_is_lead: bool, year: int) -> Assignment:
    """The units an item's text names, with their roles, and the text without those notes;
    `year` is the plan year, for a bracket that also says when the item is due."""
    c = _Collector(first_is_lead, year)

    def bracket(m: re.Match[str]) -> str:
        inner = m.group(1)
        first = _FIELD.search(inner)
        if first is None or (
            not re.search(rf"(?:{_UNIT_LABELS})\s*:", inner) and not _FIELD.match(inner.lstrip())
        ):
            return m.group(0)
        # fields in brackets (persons and progress dropped, 完成时限 kept apart): out of the text
        c.fields(inner[first.start() :])
        return ""

    cleaned = _FIELD_BRACKET.sub(bracket, text)

    # Fields after the task: "1.轨道交通…试运营。 牵头领导:X 责任单位:Y 配合单位:Z"
    run = _FIELD_RUN.search(cleaned)
    if run is not None:
        c.fields(cleaned[run.start() :])
        cleaned = cleaned[: run.start()]

    if not c.found:
        cleaned = _closing_bracket(cleaned, c)
    if not c.found:
        cleaned = _closing_sentence(cleaned, c)
    if not c.found and not c.defaults:
        nm = _DEFAULT_NOTE.search(cleaned)
        if nm and "不再" in cleaned[nm.end() : nm.end() + 12]:
            c.defaults.extend(split_units(nm.group(1)))
    cleaned = re.sub(r"[ \t]*\n[ \t]*", "\n", cleaned)
    cleaned = re.sub(r"\n{2,}", "\n", cleaned).strip()
    return Assignment(tuple(c.found), tuple(dict.fromkeys(c.defaults)), cleaned, c.when)


def _closing_bracket(text: str, c: _Collector) -> str:
    """Units in a bracket that closes the item: (X牵头,Y配合), (X等按职责分工负责), (市发改委),
    and when it is due if the bracket says that too: (市发改委,6月底前)."""
    body = text.rstrip("。. \n")
    tail = body[-130:]
    offset = len(body) - len(tail)
    for pattern in (_LEAD_BRACKET, _DUTY_BRACKET):
        for m in pattern.finditer(tail):
            if m.end() != len(tail):
                continue
            names = split_units(m.group(1))
            if not names:
                continue
            if pattern is _LEAD_BRACKET:
                c.add(names, LEAD)
                if m.group(2):
                    c.add(split_units(m.group(2)), SUPPORT)
            else:
                c.add(names, LEAD)
            return _cut(text, offset + m.start())
    last = _LAST_BRACKET.search(body)
    if last is not None:
        # (法规与标准处,2025年9月30日前), (市场科牵头,各街道配合;10月底前), (办公室配合): the
        # units, each part's role by the word closing it, then when the item is due
        parts = [p.strip() for p in re.split(r"[,,;;]", last.group(1)) if p.strip()]
        times = [p for p in parts if says_when(p, c.year)]
        named: list[tuple[list[str], Role]] = []
        for part in parts:
            if part in times:
                continue
            if _LEAD_MARK.search(part):  # (水务集团(牵头)、住建局)
                named += [(split_units(piece), r) for piece, r in _marked(part)]
                continue
            word = _ROLE_WORD.search(part)
            bare = part[: word.start()] if word else part
            named.append((split_units(bare), SUPPORT if word and word.group(2) else LEAD))
        names = [n for group, _ in named for n in group]
        if (
            names
            and len(times) <= 1
            and all(looks_like_unit(n) for n in names)
            and len(names) <= 12
        ):
            for group, role in named:
                c.add(group, role)
            if times:
                c.when = c.when or times[0]
            return _cut(text, last.start())
    return text


# "住建局(牵头)、财政局": the unit marked (牵头) leads, the others listed with it support
_LEAD_MARK = re.compile(r"\((?:牵头|主办|主责)\)")


def _marked(text: str) -> list[tuple[str, Role]]:
    """The pieces of a unit list with a (牵头) mark, each with its role, the mark taken out."""
    return [
        (_LEAD_MARK.sub("", piece).strip(), LEAD if _LEAD_MARK.search(piece) else SUPPORT)
        for piece in re.split(r"[、,,;;\n]", text)
        if piece.strip()
    ]


_UNIT_FIELD = re.compile(rf"(?:{_UNIT_LABELS})\s*:")


def cell_units(text: str, year: int) -> list[UnitRef]:
    """The units of a table's unit cell that says their roles itself ("牵头:住建局\n配合:财政局",
    "水务集团(牵头)、住建局"); empty when it says none, and the column's role applies."""
    if _UNIT_FIELD.search(text):
        return list(extract_units(text, False, year).units)
    if _LEAD_MARK.search(text):
        return [UnitRef(n, r) for piece, r in _marked(text) for n in split_units(piece)]
    return []


# The word closing a part of a bracket that says the units' role: 牵头 (lead), 配合 (support)
_ROLE_WORD = re.compile(r"(牵头|主办|负责)$|(配合|参与|协同|协助|协办)$")


# "…。由大数据中心负责。", "…。政务公开科负责,办公室配合。", "…——政务服务科": units closing an
# item without a bracket, as its last sentence or after a dash.
_LAST_SENTENCE = re.compile(
    r"(?:^|(?<=[。;;!!]))\s*由?(?P<lead>[^。;;!!,,]{2,60}?)(?:负责|牵头)"
    r"(?:[,,、]\s*(?P<support>[^。;;!!]{2,60}?)(?:配合|参与|协同|协助|协办))?[。.;;]?\s*$"
)
_DASH_UNITS = re.compile(r"(?:——|—|--)\s*(?P<lead>[^—。;;!!]{2,60}?)[。.]?\s*$")


def _closing_sentence(text: str, c: _Collector) -> str:
    """Units in the sentence that closes an item, or after a dash: all must look like units."""
    for pattern in (_LAST_SENTENCE, _DASH_UNITS):
        m = pattern.search(text)
        if m is None:
            continue
        lead = split_units(m.group("lead"))
        support = split_units(m.groupdict().get("support") or "")
        names = [*lead, *support]
        if lead and len(names) <= 12 and all(looks_like_unit(n) for n in names):
            c.add(lead, LEAD)
            c.add(support, SUPPORT)
            return _cut(text, m.start())
    return text


def _cut(text: str, at: int) -> str:
    return text[:at].rstrip()
