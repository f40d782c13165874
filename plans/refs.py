"""Item references as people write them and as duban shows them: "4", or "2-15" (plan 2, item
15) when several plans are active.

One rule, read and written here only: a reference is an item number, optionally after a plan
number and a hyphen; people may wrap it as "第4项", "#4", "4." or "4、" and duban understands it
the same in every command (/report, /status, /extend, /assign).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(r"^(?:(\d{1,6})-)?(\d{1,5})$")
_WRAP_START = "#第"
_WRAP_END = "项件条.、:: "


@dataclass(frozen=True)
class ItemRef:
    """An item number, and the plan it belongs to when the reference names one."""

    seq: int
    plan_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> ItemRef | None:
        """ "4", "第4项", "#4", "4.", "2-15" → the reference; anything else → None."""
        core = text.strip().lstrip(_WRAP_START).rstrip(_WRAP_END)
        m = _REF.match(core)
        if m is None:
            return None
        return cls(seq=int(m.group(2)), plan_id=int(m.group(1)) if m.group(1) else None)

    @staticmethod
    def format(plan_id: int, seq: int, *, multi: bool) -> str:
        """How duban shows an item: "4", or "2-4" when several plans are active."""
        return f"{plan_id}-{seq}" if multi else str(seq)

    def matches(self, plan_id: int, seq: int) -> bool:
        """Whether this reference names item `seq` of plan `plan_id`."""
        return self.seq == seq and (self.plan_id is None or self.plan_id == plan_id)
