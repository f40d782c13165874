"""The reply as the rules read it: clean text cut into clauses. What is stored is never this.

- Entities are decoded and tags dropped ("<b>完成60%</b>" reads "完成60%").
- Full-width forms read as half-width (NFKC: "６０％" → "60%", "，" → ",").
- Invisible characters are not there: zero-width space and joiners, BOM, soft hyphen,
  left-to-right and right-to-left marks, embeddings and isolates ("已\u200b完成" is "已完成").
  Other control characters read as a space.
- The commonest slips read as meant: "以完成" is "已完成" at the end of a clause, "已完城" is
  "已完成", "推近" is "推进".
- Chinese needs no spaces around numbers ("完成 60 %", "3 月底", "第 4 项" read "完成60%"…).
- Clauses end at 。;!?, a comma (not a thousands separator: "1,200家"), a full stop before a
  space, 、 before a non-digit, and a space between two Chinese characters ("已完成招标 正在施工"
  is two clauses). A colon does not end one: "有困难:资金未到位" is one thought.
"""

from __future__ import annotations

import bisect
import html
import re

from plans.text import normalize

# Unicode "format" characters a message can carry without showing them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000e0000-\U000e0fff]"
)
# Control characters (not newline or tab) and line/paragraph separators read as a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_TYPOS = (
    (re.compile(r"(?<![所可用难得足予加])以(?=完成(?:了|啦)?(?:$|[\s,。;!?~.…]))"), "已"),
    (re.compile(r"完城"), "完成"),
    (re.compile(r"推近"), "推进"),
)
_SPACE_AROUND_NUMBER = re.compile(r"(?<=\d)[ \t]+(?=[^\x00-\x7f]|%)|(?<=[^\x00-\x7f])[ \t]+(?=\d)")


def clean(text: str) -> str:
    """What the rules read: entities decoded, tags and invisible characters gone, NFKC."""
    text = _INVISIBLE.sub("", text)
    text = _TAG.sub(" ", html.unescape(text))
    text = _INVISIBLE.sub("", normalize(text))  # entities may have spelled some
    text = _CONTROL.sub(" ", text)
    for pattern, meant in _TYPOS:
        text = pattern.sub(meant, text)
    text = _SPACE_AROUND_NUMBER.sub("", text)
    return re.sub(r"[ \t]+", " ", text)


CJK = "\u3400-\u9fff"
_QUESTION = re.compile(r"吗|是否|能否|是不是|有没有")


class Clauses:
    """Clause boundaries: cues, frames and negations only look within their own clause."""

    # "," splits unless it is a thousands separator: a digit before, exactly three after.
    _SPLIT = re.compile(
        rf"[。;;!?!?\n,…]|,(?!(?<=\d,)\d{{3}}(?!\d))|\.(?=\s|$)|、(?=\D)|(?<=[{CJK}]) (?=[{CJK}])"
    )

    def __init__(self, s: str) -> None:
        self.s = s
        self.bounds: list[tuple[int, int]] = []
        start = 0
        for m in self._SPLIT.finditer(s):
            self.bounds.append((start, m.start()))
            start = m.end()
        self.bounds.append((start, len(s)))
        self.starts = [a for a, _ in self.bounds]

    def index(self, pos: int) -> int:
        """The clause holding `pos` (a separator belongs to the clause before it)."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def of(self, pos: int) -> tuple[int, int]:
        return self.bounds[self.index(pos)]

    def before(self, pos: int, window: int = 40) -> str:
        """The clause's text before `pos`, at most `window` characters of it.

        Cues and frames sit close to what they qualify; the window also keeps a reply made of one
        4000-character clause from being rescanned once per cue.
        """
        return self.s[max(self.of(pos)[0], pos - window) : pos]

    def after(self, pos: int, window: int = 40) -> str:
        """The clause's text from `pos` on, at most `window` characters of it."""
        return self.s[pos : min(self.of(pos)[1], pos + window)]

    def text(self, i: int) -> str:
        a, b = self.bounds[i]
        return self.s[a:b]

    def question(self, i: int) -> bool:
        """Whether clause `i` asks rather than tells: a "?" after it, or 吗, 是否, 能否, 是不是."""
        a, b = self.bounds[i]
        return self.s[b : b + 1] in ("?", "?") or _QUESTION.search(self.s[a:b]) is not None
