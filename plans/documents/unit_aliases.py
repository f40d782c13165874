"""The spellings one unit goes by, for the unit directory (storage/units_repo.py).

`unit_key` is what two spellings of a unit share; `aliases_for` derives the other spellings
later commands may use for it ("局高新处" ↔ "高新处" ↔ "市科技局高新处").
"""

from __future__ import annotations

import re
import unicodedata


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
