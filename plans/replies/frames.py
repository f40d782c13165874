"""Words that change what the words after them mean: negation, plan-speak, "almost".

Each looks back from a cue within its own clause only.

- Negated: 未, 没(有), 不, 无, 尚未, 还没, 并未, 无法, 难以, 未能 (and English not, no, n't) just
  before a cue undo it: "未完成" is not done, "没有困难" is not blocked.
- Planned: 预计, 争取, 力争, 确保, 有信心, 一定, 应该, 计划于, 将于, 拟, 可以, 能, 要在, 待 (and
  English will, to be, expect to) before a cue make it a plan, not a fact: "力争年底完成" and
  "有信心按期完成" are not done, and "力争年底完成80%" is not a progress figure.
- Almost: 基本, 快(要), 马上, 即将, 接近, 差不多, 几乎 just before a done word make it "almost
  done", and 部分, 初步, 阶段性 make it a part: neither is done.
"""

from __future__ import annotations

import re

from plans.replies.cleaning import Clauses

_NEGATION = re.compile(
    r"(?:未|没有?|不|无|暂无|尚无|并无|还没有?|尚未|并未|仍未|还未|暂未|从未|无法|不能|难以|未能|没能|不会)"
    r"(?:存在|出现|遇到|发现|有)?(?:明显|重大|任何|什么|太大|大的)?\s*$"
    r"|\b(?:no|not|without|never|\w+n't)\s+(?:yet\s+|been\s+)*$",
    re.IGNORECASE,
)
FUTURE = re.compile(
    r"预计|争取|力争|确保|力求|有望|可望|预期|打算|准备(?:于|在)|计划(?=[于在到年月下本明今\d一二三四五六七八九十])"
    r"|将(?:于|在|按期|如期|全部|全面|提前|会)|拟|要在|会在|可于|能够|可以|待|下一步|下步|尽快|尽早|早日"
    r"|有信心|有把握|保证|一定|肯定|应该|应当|努力|尽力"
    r"|(?:(?<![功职智性技])能|可|(?<![不])会|(?<![主需重只])要)\s*$"
    r"|\b(?:will|to\s+be|should|going\s+to|expect(?:s|ed|ing)?\s+(?:to|by|on|in)"
    r"|plan(?:s|ning)?\s+to|aim(?:s|ing)?\s+to)\b",
    re.IGNORECASE,
)
_ALMOST_OR_PART = re.compile(
    r"(?:基本|大部分|大部|部分|初步|阶段性|大体|大致|(?<![加尽很较赶飞])快要?|就快|马上就?要?|即将|将要|就要"
    r"|接近|临近|差不多|几乎)\s*$"
)


def negated(clauses: Clauses, start: int) -> bool:
    """A negation right before the cue at `start`: 未完成, 没有困难, not done."""
    return _NEGATION.search(clauses.before(start)[-10:]) is not None


def planned(clauses: Clauses, start: int) -> bool:
    """Plan-speak before the cue at `start` in its clause: 预计…完成, will be done."""
    return FUTURE.search(clauses.before(start)) is not None


def almost_or_part(clauses: Clauses, start: int) -> bool:
    """基本完成, 快完成了, 部分完成: the done word right after these is not done."""
    return _ALMOST_OR_PART.search(clauses.before(start)) is not None
