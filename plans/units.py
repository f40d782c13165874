"""Responsible units (责任单位): splitting unit lists, expanding abbreviations, aliases.

A plan names units tersely: "局创新处、高新处、产学研处" means 局创新处, 局高新处, 局产学研处;
"各辖市、区科技局" is ONE unit although it contains 、. Later commands find units by any of
their aliases ("高新处" ↔ "局高新处"), so the alias rule lives here, beside the splitting rule.
"""

from __future__ import annotations

import re
import unicodedata

# Names that contain a list separator but are one unit. Matched before splitting.
# The pattern family: 各 + (optional 有关/相关) + X、Y + optional suffix, where X and Y are kinds of
# local government (市/区/县/县级市/辖市/镇/街道/乡…).
_ADMIN = r"(?:辖市|县级市|市|区|县|镇|乡|街道|园区|开发区|功能区|高新区|经开区|单位|部门)"
_JOINED_NAME = re.compile(
    rf"各(?:有关|相关)?{_ADMIN}(?:[、,]{_ADMIN})+(?:[\u4e00-\u9fff()]*?"
    r"(?:科技局|科技部门|人民政府|政府|管委会|党委|部门|单位|局|委|办))?"
)

_SEPARATORS = re.compile(r"[、,,;;/]|\s+|和(?=[\u4e00-\u9fff]{2,})|及(?=[\u4e00-\u9fff]{2,})")

# Suffixes that mark an office inside a bureau: an abbreviated sibling ("高新处" after "局创新处")
# inherits the prefix of the first name in the list.
_OFFICE_SUFFIX = ("处", "科", "室", "办", "中心", "委", "队", "所", "站")

_PLACEHOLDER = "\u0000{}\u0000"


def clean_unit_name(name: str) -> str:
    """Normalise a unit name: NFKC, no spaces, no trailing punctuation or 等."""
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"\s+", "", name)
    name = name.strip("::。.,,;;、()()[]【】 ")
    if name.endswith("等") and len(name) > 3:
        name = name[:-1]
    return name


def split_units(text: str) -> list[str]:
    """Split a unit list such as "局创新处、高新处、产学研处" into whole, expanded names."""
    text = unicodedata.normalize("NFKC", text)
    protected: list[str] = []

    def _protect(m: re.Match[str]) -> str:
        protected.append(m.group(0))
        return _PLACEHOLDER.format(len(protected) - 1)

    text = _JOINED_NAME.sub(_protect, text)
    names: list[str] = []
    for raw in _SEPARATORS.split(text):
        raw = re.sub(r"\u0000(\d+)\u0000", lambda m: protected[int(m.group(1))], raw)
        name = clean_unit_name(raw)
        if name:
            names.append(name)
    # keep order, drop duplicates (also those the expansion creates: "局高新处、高新处")
    return list(dict.fromkeys(expand_siblings(names)))


def expand_siblings(names: list[str]) -> list[str]:
    """Give abbreviated offices the bureau prefix of the list's first office; one name out per
    name in.

    "局创新处, 高新处" → "局创新处, 局高新处"; "市科技局高新处, 农社处" → "市科技局高新处, 市科技局农社处".
    A name that already carries a prefix, or a list whose first name has none, is left alone.
    """
    prefix = ""
    out: list[str] = []
    for name in names:
        m = re.match(r"^(.*?局)(?=[^局]+$)", name)
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


def unit_key(name: str) -> str:
    """The key two spellings of one unit share: NFKC, no spaces or brackets."""
    return re.sub(r"[\s()()]", "", unicodedata.normalize("NFKC", name))


def aliases_for(name: str) -> list[str]:
    """Other spellings that refer to the same unit, for the unit directory.

    "局高新处" ↔ "高新处" ↔ "市科技局高新处"; "局机关党委" ↔ "机关党委".
    The name itself is not included.
    """
    key = unit_key(name)
    out: list[str] = []
    m = re.match(r"^(?:[\u4e00-\u9fff]{0,4}?科技局|局)(.{2,})$", key)
    if m:
        bare = m.group(1)
        out.extend([bare, "局" + bare])
    return [a for a in dict.fromkeys(out) if a != key]
