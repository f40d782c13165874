"""Reading a request for more time (延期申请): the new date and the reason.

A contact writes `/extend 5 2024-03-31 政策待审议`, `/extend 5 3月底 资金未到位`, or in a reply
"申请延期至3月底,原因是政策待审议". The clerk's rules:
- the new date is the first date named: an ISO date, 2024年3月31日, 3月底, 明年一季度…;
- a date without a year is the next such date after the current deadline (in December, "3月底"
  is March of next year);
- a request must move the deadline later; the rest of the text, without 原因是/因为, is the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from plans.deadlines import find_time_phrases
from plans.text import normalize

# "申请延期至3月底", "延期到明年3月", "申请延期:" — a reply that asks for more time.
_ASKS = re.compile(r"(?:申请|请求|恳请|拟)?(?:延期|延长|推迟|顺延)(?:至|到|为|:|:)?")
_ISO = re.compile(r"(?<!\d)(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)")
_REASON_CUE = re.compile(r"^[\s,,;;。::]*(?:原因(?:是|为)?|理由(?:是|为)?|因为|由于|因)[\s::]*")
_YEAR_WORDS = re.compile(r"明年|下一?年|次年")


@dataclass(frozen=True)
class ExtensionAsk:
    """What a request says: the new date, the phrase it came from, and the reason."""

    new_deadline: date
    phrase: str
    reason: str


def asks_for_extension(text: str) -> bool:
    """Whether a reply asks for more time ("申请延期至3月底…")."""
    return bool(re.search(r"(?:申请|请求|恳请)(?:延期|延长|推迟|顺延)|延期(?:至|到)", text))


def read_extension(text: str, *, after: date) -> ExtensionAsk | None:
    """The new date and reason in `text`, or None when it names no date. Dates without a year
    are the next such date after `after` (the current deadline, or today)."""
    s = normalize(text).strip()
    s = _ASKS.sub("", s, count=1) if asks_for_extension(s) else s
    iso = _ISO.search(s)
    if iso is not None:
        try:
            when = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
        start, end = iso.span()
    else:
        found = find_time_phrases(s, after.year)
        if not found:
            return None
        phrase = next((f for f in found if f.explicit), found[0])
        when, start, end = phrase.date, phrase.start, phrase.end
        lead = _YEAR_WORDS.search(s[max(0, start - 3) : start])  # "明年" + "一季度"
        stated = re.search(r"20\d\d\s*年|明年|次年|下一?年", s[start:end]) is not None
        if lead is not None:
            start = max(0, start - 3) + lead.start()
        if not stated and (lead is not None or when <= after):
            again = find_time_phrases(s[phrase.start : phrase.end], after.year + 1)
            if again:
                when = again[0].date
    reason = _REASON_CUE.sub("", s[end:]).strip(" ,,;;。::")
    if not reason:
        reason = _REASON_CUE.sub("", s[:start]).strip(" ,,;;。::")
    return ExtensionAsk(new_deadline=when, phrase=s[start:end].strip(), reason=reason)
