"""The difficulty a blocked reply names, kept in the contact's words.

- What follows a label: "有困难:X", "困难是X", "问题在于X", "blocked: X", "blocked by X",
  "on hold due to X" — to the end of the sentence.
- Else the cause: the clauses that carry a difficulty and the reason words beside them — the
  part of the clause before or after a stoppage word that gives its cause ("因资金未到位无法推进"
  → "资金未到位"), a shortage ("人手不足", "资金缺口大"), a reason next to a stoppage ("受疫情影响,
  工期延误" → "受疫情影响").
- Else the stoppage itself, in its clause ("施工受阻", "项目卡住了", "停工"); nothing when it only
  says there is a difficulty ("有困难").
Connectives in front (但, 因为, 由于, 主要是, 目前) go; at most 200 characters are kept.
"""

from __future__ import annotations

import re

from plans.replies.cleaning import Clauses
from plans.replies.cues import Cues

_MAX = 200
_CONNECTIVES = re.compile(
    r"^(?:[\s,,:;、]|但是|但|不过|然而|主要是|主要|原因是|原因|因为|因|由于|目前|当前|现在|现|且|并且|而且)+"
)
_REASONISH = re.compile(
    r"未|没|不|缺|难|无|受|因|由于|影响|问题|延误|暂停|停|待|尚|慢|紧张|不足|短缺|等待|断|被"
    r"|\b(?:no|not|waiting|lack|pending|because|due|short)\b",
    re.IGNORECASE,
)
_LABEL_AFTER = re.compile(r"^\s*(?:[::]|是|在于|主要是)\s*")
_EN_LABEL_AFTER = re.compile(r"^\s*(?:due\s+to|because(?:\s+of)?)\s+", re.IGNORECASE)
_EN_BY_AFTER = re.compile(r"^\s*(?:by|on)\s+", re.IGNORECASE)
# Says there is a difficulty and nothing about it.
_ONLY_DIFFICULTY = re.compile(
    r"^(?:(?:有|遇到了?|存在|面临)(?:一些|较大|很大)?(?:困难|问题)|blocked|stuck)$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[。;!?!?\n]|\.(?=\s|$)")


def blocker(s: str, clauses: Clauses, cues: Cues) -> str:
    """The difficulty, as the contact wrote it; "" when the reply only says there is one."""
    for m in cues.blocked_state:
        start = _labelled(s, m)
        if start is not None:
            end = _SENTENCE_END.search(s, start)
            return _tidy(s[start : end.start() if end else len(s)])

    holding = sorted({clauses.index(m.start()) for m in cues.blocked_state + cues.blocked_cause})
    wanted = sorted(set(holding) | {j for i in holding for j in (i - 1, i + 1)})
    reasons: list[str] = []
    for i in wanted:
        if not 0 <= i < len(clauses.bounds):
            continue
        a, b = clauses.bounds[i]
        state = next((m for m in cues.blocked_state if a <= m.start() < b), None)
        cause = any(a <= m.start() < b for m in cues.blocked_cause)
        if state is not None:
            before, after = s[a : state.start()], s[state.end() : b]
            if _REASONISH.search(before):
                part = before  # "因资金未到位无法推进"
            elif _REASONISH.search(after):
                part = after
            else:
                part = s[a:b] if cause else ""
        elif cause or (i not in holding and _REASONISH.search(s[a:b])):
            part = s[a:b]
        else:
            part = ""
        part = _tidy(part)
        if part and part not in reasons:
            reasons.append(part)
    if reasons:
        return ",".join(reasons)[:_MAX]

    first = min(cues.blocked_state + cues.blocked_cause, key=lambda m: m.start())
    whole = _tidy(clauses.text(clauses.index(first.start())))
    return "" if _ONLY_DIFFICULTY.match(whole) else whole


def _labelled(s: str, m: re.Match[str]) -> int | None:
    """Where the difficulty starts when the cue labels it ("有困难:", "blocked by"), else None."""
    cue = m.group(0).rstrip()
    after = s[m.end() :]
    if cue.endswith((":", ":", "是", "在于")):
        return m.end()
    said = _LABEL_AFTER.match(after)
    if said is None and cue.isascii():
        said = _EN_LABEL_AFTER.match(after)
        if said is None and cue.lower() in ("blocked", "stuck"):
            said = _EN_BY_AFTER.match(after)
    return m.end() + said.end() if said else None


def _tidy(text: str) -> str:
    text = _CONNECTIVES.sub("", text.strip())
    return text.strip(" ,,。;;:::.、")[:_MAX]
