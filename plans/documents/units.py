"""Responsible units (责任单位): reading unit lists the way a careful clerk does.

A plan names its units tersely, and a clerk reads them by these rules (`split_units`):

1. A name is split only where a list separator stands between whole names: `、` `,` `;` `/`,
   spaces and line breaks, never inside brackets (`各县(市、区)`, `市财政(地税)局`).
2. `各` + places of one level + `、` + places of that level is ONE collective body:
   `各乡、镇人民政府`, `各辖市、区科技局`, `各县、市、区人民政府`, `各区、县级市`.
3. `和` / `及` / `以及` / `与` join two units only when both sides are whole unit names
   (`市科技局和市财政局`); otherwise they are part of the name (`市住房和城乡建设局`,
   `各县(市、区)党委和人民政府`, `高新区党工委和管委会`).
4. Two names written without a separator are split where a place prefix (市/区/县/省/州)
   starts again right after an organ ending: `区发改局区统计局` → 区发改局, 区统计局
   (`市政府办公室`, `市科技局高新处`, `市委市政府督查室` stay whole).
5. An ending written once after `、` is shared: a short bare name that is no unit on its own
   takes the next unit's organ ending (`人民大垸、荒湖管理区` → 人民大垸管理区, 荒湖管理区), and
   a bare place takes the next place's body (`金华开发区、金义都市新区管委会` → 金华开发区管委会,
   金义都市新区管委会). A unit (`市科技局、财政局`) or a collective (`各乡、镇…`) takes nothing.
6. Tails and fillers are not names: `…等`, `等部门`, `等单位`, `按职责分工(分别)负责`,
   `负责`, `牵头`, `配合`, `共同推进`, a label before `:`, a note in brackets
   (`(列第一位者为牵头单位,下同)`), a note such as `以下均需…`.
7. Persons and roles (`朱先涛`, `陈  忠`, `各区区长`, `相关管委会主任`, `责任领导`) are not
   units: they are dropped.
8. A place prefix written once covers the list: `市发改委、国土房管局、规划局` → 市发改委,
   市国土房管局, 市规划局. Only bare department names (…局/委/办/厅/中心…) take it; a
   collective (`各科室`), a place body (`锦城街道`, `黄埔区政府`), an enterprise (`城投集团`)
   or an office (`办公室`) does not. When the list mostly writes the prefix out in full, a bare
   name is a name of its own (`宁波电业局` among `市公安局、市财政局…`). (`carry_prefix`)
9. An office abbreviated after a bureau's office takes the bureau: `局创新处、高新处` →
   局创新处, 局高新处 (`expand_siblings`).

Traditional characters are read like Simplified ones (`縣政府`, `各鄉鎮`), and the names are
returned as written. What a single name is (a unit by how it ends, a person, a role) is read in
unit_names.py; `looks_like_unit` is here because a list is a unit when each of its names is.
The spellings a unit is found by later (`高新处` ↔ `局高新处`) are in unit_aliases.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from plans.documents.unit_names import (
    COLLECTIVE_HEAD,
    HAN,
    LABEL_WORD,
    NOT_A_NAME,
    NOTE,
    PAREN,
    PLACE,
    PLACE_LEVELS,
    base_name,
    is_note,
    is_person,
    is_person_or_role,
    is_role,
    is_unit_name,
    organ_ending,
    simplified,
    strip_spaces,
)

# ---------------------------------------------------------------------------- vocabulary

# Departments of a government level: the bare names a place prefix written once is carried to.
_DEPARTMENT = re.compile(
    r"(?:局|委|办|厅|署|委员会|中心|工会|工商联|团委|妇联|残联|科协|侨联|文联)$"
)
# A place word starting a piece (各乡、镇…: 镇 goes on the collective), and any place word.
_PLACE_START = re.compile(rf"(?:{PLACE})")
_PLACE_WORD = re.compile(PLACE)

# A level prefix: 市发改委, 区财政局. Not the first character of a word (市场, 市政公用局, 区域).
_LEVEL_PREFIX = re.compile(r"[省市区县州](?!场|民|域|级|直|政(?!府))")
# A place named inside a name (黄埔区政府, 常州经开区科技金融局, 锦城街道办): such a name belongs
# to that place, not to the level of the list.
_INNER_PLACE = re.compile(r"街道|社区|(?<!城)[镇乡]|(?<![城都])市(?![场政民])|区(?!域)|县(?!域)")

# Where two names are glued: an organ ending, then a level prefix starting the next name.
_GLUE = re.compile(r"(?<=[局委办厅府会心院部处室站所队])(?=[省市区县州](?![场民域级直]|政(?!府)))")
# A place and its body (高新区 + 党工委和管委会, 天目山镇 + 人民政府), and a bare place name
# (金华开发区, 昌化镇) that may share that body: 金华开发区、金义都市新区管委会.
_PLACE_BODY_WORD = r"(?:党工委|党委|管委会|人民政府|政府|办事处)"
_PLACE_BODY = re.compile(
    rf"(.{{2,}}?(?:区|县|市|镇|乡|街道))({_PLACE_BODY_WORD}(?:和{_PLACE_BODY_WORD})?)"
)
_BARE_PLACE = re.compile(r".{2,}(?:区|县|市|镇|乡|街道)")
_CONJUNCTION = re.compile(r"以及|及|和|与")

_LIST_SEPARATORS = frozenset("、,;/|。\n\t ")
_OPEN, _CLOSE = "([{【〔", ")]}】〕"

# Tails and fillers after the last name of a list.
_TAIL = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?"
    r"|(?:按|依|根据)?照?(?:各自)?职[责能](?:分工)?(?:分别|各自|共同)?(?:负责|落实|承担)?"
    r"|(?:分别|共同|具体|各自|协同|配合)?(?:负责|牵头|配合|协助|参与|推进|落实|实施|承办|协办|主办))$"
)
_HEAD_FILLER = re.compile(r"^(?:由|请|并由|另由)(?=[省市区县州各局])")
_HAN_LIST = re.compile(r"[\u3400-\u9fff、]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_PAREN_RE = re.compile(PAREN)


# ---------------------------------------------------------------------------- what a list is


def looks_like_unit(name: str) -> bool:
    """Whether a name is a body (organ), by how it ends: …局/委/办/中心/政府/管委会/街道/镇…,
    or a collective (各县(市、区), 各乡镇, 各有关部门). Persons and roles are never units.

    A list (`市发改委、市财政局`) is a unit when every name split_units reads from it is one.
    """
    s = simplified(strip_spaces(unicodedata.normalize("NFKC", name)))
    s = _unwrap(s.strip("::。.,;、 "))
    if COLLECTIVE_HEAD.match(s) or len(_pieces(s)) < 2:
        return is_unit_name(s)
    names = split_units(name)
    return bool(names) and all(is_unit_name(simplified(n)) for n in names)


# ---------------------------------------------------------------------------- splitting


def clean_unit_name(name: str) -> str:
    """Normalise a unit name: NFKC, no spaces, no outer punctuation or 等; brackets that belong
    to the name stay (各县(市、区), 市财政(地税)局)."""
    name = strip_spaces(unicodedata.normalize("NFKC", name))
    prev = None
    while prev != name:
        prev = name
        name = _unwrap(name.strip("::。.,;、[]【】"))
        if name.startswith("(") and _unbalanced(name, "(", ")"):
            name = name[1:]
        if name.endswith(")") and _unbalanced(name, ")", "("):
            name = name[:-1]
    if name.endswith("等") and len(name) > 3:
        name = name[:-1]
    return name


def _unbalanced(name: str, char: str, other: str) -> bool:
    return name.count(char) > name.count(other)


def _unwrap(s: str) -> str:
    """`(市发改委)` → 市发改委: brackets around the whole text, not a part of it."""
    while len(s) >= 2 and s[0] in _OPEN and s[-1] in _CLOSE:
        depth = 0
        for i, ch in enumerate(s):
            depth += 1 if ch in _OPEN else -1 if ch in _CLOSE else 0
            if depth == 0 and i < len(s) - 1:
                return s  # the first bracket closes before the end: "(a)b(c)"
        s = s[1:-1]
    return s


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator before, piece) for each piece between list separators outside brackets."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    sep, depth = "", 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _LIST_SEPARATORS:
            if buf:
                out.append((sep, "".join(buf)))
                buf, sep = [], ch
            elif not ch.isspace():
                sep = ch  # "A 、B": the visible separator counts
            continue
        buf.append(ch)
    if buf:
        out.append((sep, "".join(buf)))
    return out


def _join_broken(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rejoin a name a space broke (`市水利 局`, `陈  忠`): a fragment that is no unit and no
    person joins the next one when together they make one."""
    out: list[tuple[str, str]] = []
    for sep, piece in pieces:
        if out and sep.isspace():
            prev_sep, prev = out[-1]
            p, joined = simplified(prev), simplified(prev + piece)
            broken = not (is_unit_name(p) or is_person(p) or is_role(p)) and (
                len(p) == 1 or is_unit_name(joined) or is_person(joined)
            )
            # "各乡 镇人民政府": a collective goes on after the space
            if broken or _continues_collective_head(p, simplified(piece)):
                out[-1] = (prev_sep, prev + piece)
                continue
        out.append((sep, piece))
    return out


def _join_collectives(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`各乡` `、` `镇人民政府` → 各乡、镇人民政府: places of one level after 各 are one body."""
    out: list[tuple[str, str]] = []
    for sep, piece in pieces:
        if out and sep == "、":
            prev_sep, prev = out[-1]
            if _continues_collective_head(simplified(prev), simplified(piece)):
                out[-1] = (prev_sep, f"{prev}、{piece}")
                continue
        out.append((sep, piece))
    return out


def _continues_collective_head(head: str, piece: str) -> bool:
    """Whether `head` is 各 + places and `piece` goes on with places of the same level."""
    if not COLLECTIVE_HEAD.fullmatch(head):
        return False
    m = _PLACE_START.match(piece)
    if not m:
        return False
    rest = piece[m.end() :]
    if rest.startswith(("直", "级", "属")) or "各" in rest:
        return False  # 各区、市直各部门: two bodies
    last = _PLACE_WORD.findall(_PAREN_RE.sub("", head))[-1]
    return bool(PLACE_LEVELS[last] & PLACE_LEVELS[m.group(0)])


def _masked(s: str) -> str:
    """The text with bracketed parts blanked, so that rules see only the outer name."""
    out: list[str] = []
    depth = 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        out.append("□" if depth else ch)
        if ch in _CLOSE:
            depth = max(depth - 1, 0)
    return "".join(out)


def _drop_notes_in_brackets(piece: str) -> str:
    """Keep brackets that are part of a name (市、区 / 地税 / 区监委), drop notes and fillers."""

    def keep(m: re.Match[str]) -> str:
        inner = simplified(m.group(1))
        if (
            len(inner) <= 10
            and _HAN_LIST.fullmatch(inner)
            and not _TAIL.fullmatch(inner)
            and not NOTE.match(inner)
            and not NOT_A_NAME.search(inner)
        ):
            return m.group(0)
        return ""

    return _BRACKETED.sub(keep, piece)


def _strip_fillers(name: str) -> str:
    name = _HEAD_FILLER.sub("", name)
    while True:
        m = _TAIL.search(simplified(name))
        if not m or m.start() == m.end():
            return name
        name = name[: m.start()]


def _split_glued(name: str) -> list[str]:
    """区发改局区统计局 → 区发改局, 区统计局."""
    s = _masked(simplified(name))
    for m in _GLUE.finditer(s):
        left, right = name[: m.start()], name[m.start() :]
        if len(left) >= 3 and is_unit_name(simplified(left)) and is_unit_name(simplified(right)):
            return [left, *_split_glued(right)]
    return [name]


def _split_conjunctions(name: str) -> list[str]:
    """市科技局和市财政局 → two; 市住房和城乡建设局, 党委和人民政府 → one: both sides must be
    units with a name of their own, and a bare ending (人民政府, 管委会) is none."""
    s = _masked(simplified(name))
    for m in _CONJUNCTION.finditer(s):
        left, right = name[: m.start()], name[m.end() :]
        if is_unit_name(simplified(left)) and is_unit_name(simplified(right)):
            return [left, *_split_conjunctions(right)]
    return [name]


def _names_in(piece: str) -> list[str]:
    """The names one piece between separators holds, tails and notes removed."""
    piece = strip_spaces(piece)
    top_colon = _masked(piece).rfind(":")
    if top_colon >= 0:
        piece = piece[top_colon + 1 :]  # "牵头单位:市发改委"
    piece = _drop_notes_in_brackets(_unwrap(piece))
    if is_note(simplified(piece)):
        return []
    piece = _strip_fillers(piece)
    names: list[str] = []
    for glued in _split_glued(piece):
        names.extend(_strip_fillers(n) for n in _split_conjunctions(glued))
    return [n for n in names if n]


def _share_endings(named: list[tuple[str, str]]) -> list[str]:
    """人民大垸、荒湖管理区 → 人民大垸管理区, 荒湖管理区; 金华开发区、金义都市新区管委会 →
    金华开发区管委会, 金义都市新区管委会. Right to left, so that a run of bare names all take
    the ending of the name that closes it."""
    names = [n for _, n in named]
    for i in range(len(names) - 2, -1, -1):
        if named[i + 1][0] == "、":
            names[i] += _shared_ending(names[i], names[i + 1])
    return names


def _shared_ending(first: str, second: str) -> str:
    """What `first` takes from `second` when `first、second` writes a common ending once: the
    organ ending, for a bare name that is no unit; the body of a place (管委会, 人民政府,
    党工委和管委会), for a bare place name."""
    bare, unit = simplified(first), simplified(second)
    if not HAN.fullmatch(bare) or bare.startswith("各") or len(bare) > 12:
        return ""
    body = _PLACE_BODY.fullmatch(unit)
    if body and _BARE_PLACE.fullmatch(bare):
        return second[body.start(2) :]
    end = organ_ending(unit)
    if (
        end
        and len(unit) > len(end)
        and len(bare) <= 6
        and not is_unit_name(bare)
        and not is_person(bare)
        and not is_role(bare)
        and (len(bare) == 1 or not _LEVEL_PREFIX.match(unit))
    ):
        return second[-len(end) :]
    return ""


def _has_level_prefix(name: str) -> bool:
    return bool(_LEVEL_PREFIX.match(simplified(name)))


def _takes_prefix(name: str) -> bool:
    """A bare department name a level prefix written once is carried to."""
    s = simplified(name)
    return (
        not s.startswith(("各", "局"))
        and not _has_level_prefix(s)
        and _DEPARTMENT.search(base_name(s)) is not None
        and is_unit_name(s)
        and not _INNER_PLACE.search(s, 2)
    )


def carry_prefix(names: list[str]) -> list[str]:
    """市发改委、国土房管局 → 市发改委, 市国土房管局; one name out per name in.

    The prefix is the level (市/区/县/省/州) of the last name that writes one. A list that writes
    the prefix out on most of its later names is taken as written (宁波电业局 stays bare).
    """
    first = next((i for i, n in enumerate(names) if _has_level_prefix(n)), None)
    if first is None:
        return list(names)
    later = names[first + 1 :]
    written = sum(1 for n in later if _has_level_prefix(n))
    bare = sum(1 for n in later if _takes_prefix(n))
    if written > bare:
        return list(names)
    out: list[str] = []
    prefix = ""
    for name in names:
        if _has_level_prefix(name):
            prefix = name[0]
        elif prefix and _takes_prefix(name):
            name = prefix + name
        out.append(name)
    return out


def split_units(text: str) -> list[str]:
    """Split a unit list into whole, expanded names, as the module docstring's rules say.

    "市发改委、国土房管局" → 市发改委, 市国土房管局; "各乡、镇人民政府,人民大垸、荒湖管理区" →
    各乡、镇人民政府, 人民大垸管理区, 荒湖管理区; persons and roles are left out.
    """
    return list(_split_units(text))


@lru_cache(maxsize=4096)
def _split_units(text: str) -> tuple[str, ...]:
    text = _unwrap(unicodedata.normalize("NFKC", text).strip())
    pieces = _join_collectives(_join_broken(_pieces(text)))
    named: list[tuple[str, str]] = []
    for sep, piece in pieces:
        for k, name in enumerate(_names_in(piece)):
            named.append((sep if k == 0 else "+", name))
    names = [clean_unit_name(n) for n in _share_endings(named)]
    names = [
        n
        for n in names
        if len(n) >= 2 and not is_person_or_role(n) and not LABEL_WORD.fullmatch(simplified(n))
    ]
    # keep order, drop duplicates (also those the expansion creates: "局高新处、高新处")
    return tuple(dict.fromkeys(expand_siblings(carry_prefix(names))))


# ---------------------------------------------------------------------------- offices in a bureau

# Suffixes that mark an office inside a bureau: an abbreviated sibling ("高新处" after "局创新处")
# inherits the prefix of the first name in the list.
_OFFICE_SUFFIX = ("处", "科", "室", "办", "中心", "委", "队", "所", "站")
_BUREAU_PREFIX = re.compile(r"^(.*?局)(?=[^局]+$)")


def expand_siblings(names: list[str]) -> list[str]:
    """Give abbreviated offices the bureau prefix of the list's first office; one name out per
    name in.

    "局创新处, 高新处" → "局创新处, 局高新处"; "市科技局高新处, 农社处" → "市科技局高新处, 市科技局农社处".
    A name that already carries a prefix, or a list whose first name has none, is left alone.
    """
    prefix = ""
    out: list[str] = []
    for name in names:
        m = _BUREAU_PREFIX.match(name)
        if m and name.endswith(_OFFICE_SUFFIX) and not prefix:
            prefix = m.group(1)
            out.append(name)
            continue
        if (
            prefix
            and name.endswith(_OFFICE_SUFFIX)
            and not name.startswith(("局", "市", "省", "区", "县", "各"))
            and "局" not in name
            and len(name) <= 8
        ):
            out.append(prefix + name)
        else:
            out.append(name)
    return out
