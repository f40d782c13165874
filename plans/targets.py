"""Quantitative targets (量化指标) in an item's text: "净增高新技术企业600家以上" → ≥ 600 家.

`find_targets(text)` reads an item's prose; `find_targets(cell, column=True)` reads a table's
target column (指标要求 / 目标值), where a lone bare number is the target because its measure
word is in the header ("186" → 186 with measure "", "低于 4.1" → ≤ 4.1).

The rules, each as a clerk would say it.

What makes a number a target
- A number with a measure word (家, 名, 万人, 亿元, %, 万亩, 亿立方米, 公里, 个托位, 穴 …) is a
  target when the plan sets it: it ends its clause ("达1750人。", "增长10.8%,"), a target verb
  stands right before it or opens its clause ("集聚50名科研人才", "完成…3.4公里道路改造"), or the
  clause opens with whom or where the work is for ("为4000名小学生…", "在50所学校…").
- Bound words give the op: 超/不少于/达/以上 → ≥, 高于/余/多 → >, 以内/不超过/控制在/低于 → ≤,
  左右/约/近 → ≈, 1-2家 → range (value 1, upper 2).
- Each member of a list counts: "增长10.8%,…增长10%" is two targets, "分别下降24%、25%以上" two.
- Chinese numerals ("十二所") count only right after a target verb: 一批/两个/“三个区分开来”/(二期)
  are idioms, slogans and labels.
- Traditional Chinese reads like Simplified (4萬人, 2000戶, 10萬畝, 160公裡). `Target.text` is the
  phrase as written; `measure` is folded to Simplified so that a progress reply ("已完成6万亩")
  compares. Pinyin glosses injected by mirror sites ("萬(wàn)") are dropped before reading.
- The measure is the word after the number with its magnitude (8.3万人 → 万人, 2万余人 → 万人);
  800人(次) is 人次, 30人(团队) is 人; a bare 亿/万 is its own measure ("生产总值1000亿").

What is not a target
- A breakdown of a total: after 其中/包括/(含 to the end of its sentence or bracket ("新建学校
  12所,其中小学8所、初中4所" → 12所), unless the part carries its own commitment
  ("其中省级以上超10家", "其中新增亿元企业3家": the plan sets those too).
- Dated steps toward a total: of "3月底前新建成2家;6月底前新建成2家;9月底前完成7家" and of
  "一、二、三、四季度,占比分别达18%、19%、20%、21%" only the last figure is a target; the others
  are milestones (deadlines.py reads their dates).
- Names, codes and ordinals: inside “” or 《》, G60/S307/5G/4.0, 第3届, 第101项, years and dates.
- Descriptions, not commitments: after 等 ("等5个重点产业链"), a count of what already exists
  (全市13个产业链, 原有5平方公里), a threshold or size of something (5000万元以上…项目,
  投资5000万元的项目, 80万吨乙烯改扩建项目, 50强), a title count ("十件民生实事"), a count in
  passing that no target verb governs ("…云平台中心3个中心").
- Rates and schedules: after 每季度/每月/每增 ("每季度完成30件", "每增1个百分点加0.2分").
- Scores: 分 in a scoring rule (计5分, 考核得分90分); only a rating (满意度达90分) is a target.
- Progress, not plan: a clause in the past (已/目前/截至), a sentence that opens as a report
  (已累计完成…, 截至10月底…) or says work is under way (正在施工中,整体进度70%), and anything from
  a 完成情况:/进展情况: label to the next numbered item.
- A change against last year restating a total already set ("达到18600元,比上年增加1200元").
- Durations ("3个月", "5个工作日").
- In a target column, several bare numbers in one cell are a flattened table row ("2 5 1 2 10").
"""

from __future__ import annotations

import bisect
import math
import re

from plans.model import Target, TargetOp
from plans.numerals import cn_to_number
from plans.target_words import (
    ABOUT,
    AT_MOST,
    BARE,
    CANDIDATE,
    COMMITMENT,
    FOLD,
    MONEY_OR_SIZE,
    MORE,
    NOT_AFTER_BARE,
    PINYIN,
    TASK_START,
    VERB_ANY,
    VERB_END,
    VERB_IN,
    WINDOW,
)

# ------------------------------------------------------------------------ markers around a number

_BREAKDOWN = re.compile(r"其中|包括|\(含")
_PROGRESS_LABEL = re.compile(
    r"(?:实际|目前)?(?:完成|进展|进度)情况\s*[::]|(?:工作|目前)进展\s*[::]|完成进度\s*[::]"
)
# An item number after a progress report: " 3.新辟公交线路…" (the whole page on one line, 09).
_NEXT_ITEM = re.compile(r"(?:^|(?<=[\s。]))\d{1,3}[.、](?=[\u4e00-\u9fff])", re.MULTILINE)
_PAST = re.compile(r"(?<!而)已(?!有[^,;。]{0,6}基础)|正在|目前|截至|截止")
# What may come before a clause's verb: numbering, time, adverbs ("2.年内力争", "全年", "①").
_CLAUSE_LEAD = re.compile(
    r"\s*(?:\d+[.、]|[①-⑳]|\(\d+\)|[一二三四五六七八九十]+是)?\s*"
    r"(?:(?:年内|全年|今年|年底前|当年|力争|确保|积极|加快|继续|进一步|全力|重点|着力|大力|"
    r"年底|上半年|下半年|同时|并|再|还|将|要|拟)\s*){0,3}"
)
_REPORT_OPENING = re.compile(r"\s*(?:\d+[.、]\s*)?(?:已|现已|截至|截止)")
_RATE = re.compile(r"每(?:个)?(?:季度|季|月|年|周|天|日|半年|旬)|每(?:增|减|多|少|超|提高|降低)")
_SCOPE_BEFORE = re.compile(r"(?:全县|全市|全区|全省|全镇|全乡|全国|所有|现有|原有|已有)$")
_SCORE_RULE = re.compile(r"得分|计|加|减|扣|分值|满分|赋|记")
_RATING = re.compile(r"满意度|满意率|测评|评分|评估|指数|成绩")
_ATTRIBUTE_NOUN = re.compile(r"^[^,;。:、()\s]{0,12}?(?:项目|工程|装置|生产线|企业|厂|站)")
_TITLE_COUNT = re.compile(r"^(?:民生)?(?:实事|大事|好事)")
_DURATION = re.compile(r"^(?:月|工作日|小时|星期|季度)")
# Times of a step before the year's end: "3月底前", "一、二、三、四季度", "上半年"; and the year's end
# closing a chain of them.
_STEP_TIME = re.compile(
    r"(?<![\d.])(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末|份|上旬|中旬|下旬|\d{1,2}日)?"
    r"|(?:[一二三四1-4]、)*[一二三四1-4]季度|上半年|年中|前三季度|年底|年末"
)
_YEAR_END = re.compile(r"年底|年末|(?:12|十二)月(?:底|末|份)?|四季度|4季度")
_RESTATED = re.compile(r"(?:比上年|比去年|较上年|较去年|同比)\s*(?:增加|减少|多|少)\s*$")
_QUOTES = {"“": "”", "《": "》", '"': '"', "‘": "’", "「": "」", "〈": "〉"}

# Characters that close a clause: the number before them ends its phrase.
_CLAUSE_END = frozenset(",。;、:!?()|/.，；：！？（）\n\t ")
# Characters that start a new clause for the verb, past and rate checks (、 and () don't: they
# list or gloss inside a clause — "解决刘坪、中山等乡镇4万人的饮水问题").
_CLAUSE_MARKS = frozenset(",。;:!?，；：！？\n")
_SENTENCE_MARKS = frozenset("。!?！？\n")
# The idioms a Chinese numeral makes with a measure word: 一批, 一支, 两个, “两户”.
_IDIOM_TWO = frozenset("个项批次支条户")


def find_targets(text: str, *, column: bool = False) -> list[Target]:
    """The quantitative targets an item sets, in order of appearance.

    `column`: the text is a table's target column (指标要求/目标值), so a lone bare number is
    the target (measure "") and a number with a measure word needs no verb or clause end.
    """
    if "(" in text:
        text = PINYIN.sub("", text)
    return _Reader(text, column).targets()


class _Reader:
    """One text, folded to Simplified, with its clause and sentence boundaries."""

    def __init__(self, text: str, column: bool) -> None:
        self.raw = text
        self.s = text.translate(FOLD)
        self.column = column
        s = self.s
        self.clause_starts = [i + 1 for i, ch in enumerate(s) if ch in _CLAUSE_MARKS]
        self.sentence_starts = [i + 1 for i, ch in enumerate(s) if ch in _SENTENCE_MARKS]
        self.quoted = _quoted_spans(s)
        self.progress = self._progress_spans()
        self.breakdowns = self._breakdown_spans()
        self.breakdown_starts = [a for a, _ in self.breakdowns]
        self.found: list[tuple[int, Target]] = []

    # -- boundaries

    def clause_start(self, pos: int) -> int:
        k = bisect.bisect_right(self.clause_starts, pos) - 1
        return self.clause_starts[k] if k >= 0 else 0

    def sentence_start(self, pos: int) -> int:
        k = bisect.bisect_right(self.sentence_starts, pos) - 1
        return self.sentence_starts[k] if k >= 0 else 0

    def _progress_spans(self) -> list[tuple[int, int]]:
        """From a 完成情况: label to the next numbered item ("… 3.新辟公交线路…") or the end."""
        s = self.s
        spans: list[tuple[int, int]] = []
        for m in _PROGRESS_LABEL.finditer(s):
            if spans and m.start() < spans[-1][1]:
                continue
            nxt = _NEXT_ITEM.search(s, m.end())
            spans.append((m.start(), nxt.start() if nxt else len(s)))
        return spans

    def _breakdown_spans(self) -> list[tuple[int, int]]:
        """Where breakdowns run: from 其中 to the end of its sentence or bracket; disjoint, sorted."""
        s = self.s
        spans: list[tuple[int, int]] = []
        for m in _BREAKDOWN.finditer(s):
            if spans and m.start() < spans[-1][1]:
                continue  # inside the breakdown before it
            open_at = s.rfind("(", 0, m.start() + 1)
            if open_at != -1 and s.find(")", open_at, m.start()) == -1:
                close = s.find(")", m.end())
                spans.append((m.end(), close if close != -1 else len(s)))
                continue
            end = m.end()
            while end < len(s) and s[end] not in _SENTENCE_MARKS:
                if s[end] in ";；" and TASK_START.match(s, end + 1):
                    break
                end += 1
            spans.append((m.end(), end))
        return spans

    # -- reading

    def targets(self) -> list[Target]:
        for m in CANDIDATE.finditer(self.s):
            start = m.start("lo") if m.group("lo") else m.start("num")
            if any(a <= start < b for a, b in self.progress):
                continue
            target = self._judge(m, start)
            if target is not None:
                self.found.append((start, target))
        self._drop_steps()
        if self.column:
            self._bare_numbers()
        return [t for _, t in sorted(self.found, key=lambda f: f[0])]

    def _drop_steps(self) -> None:
        """Dated steps toward a total are milestones: of "3月底前新建成2家;6月底前新建成2家;
        9月底前完成7家" and "一、二、三、四季度分别达18%、19%、20%、21%" only the last is a target."""
        s = self.s
        phrases = list(_STEP_TIME.finditer(s))
        if not phrases:
            return
        ends = [m.end() for m in phrases]
        semis = [i for i, ch in enumerate(s) if ch in ";；"]
        steps: set[int] = set()
        pending: dict[str, tuple[int, str]] = {}  # measure → (index in found, its time phrase)
        sentence = -1
        for i, (pos, target) in enumerate(self.found):
            if self.sentence_start(pos) != sentence:
                sentence, pending = self.sentence_start(pos), {}
            k = bisect.bisect_right(ends, pos) - 1
            j = bisect.bisect_left(semis, pos) - 1
            segment = semis[j] if j >= 0 else -1
            phrase = (
                phrases[k] if k >= 0 and phrases[k].start() > max(segment, sentence - 1) else None
            )
            before = pending.get(target.measure)
            if phrase is None:
                pending.pop(target.measure, None)  # an undated figure: not a chain
                continue
            when = phrase.group()
            if before is not None and (before[1] != when or "、" in when):
                steps.add(before[0])
            if _YEAR_END.fullmatch(when):
                pending.pop(target.measure, None)
            else:
                pending[target.measure] = (i, when)
        self.found = [f for i, f in enumerate(self.found) if i not in steps]

    def _judge(self, m: re.Match[str], start: int) -> Target | None:
        s = self.s
        measure = (m.group("mag") or "") + m.group("measure")
        pre = m.group("pre") or ""
        more = "余" if m.group("more") else ""
        post = m.group("post") or ""
        raw = m.group("num") or m.group("lo")
        chinese = not raw[0].isdigit()
        prev = s[start - 1] if start > 0 else ""
        after = s[m.end() : m.end() + 1]
        rest = s[m.end() : m.end() + 14]
        clause = s[max(self.clause_start(start), start - 40) : start]
        ends_clause = after == "" or after in _CLAUSE_END

        if any(a <= start < b for a, b in self.quoted):
            return None  # a name: “532”发展战略, 《…2023版》
        # Part of a larger token: G60, S307, 4.0版, 5.18展洽会, 2023常州.
        if prev and prev.isascii() and (prev.isalnum() or prev in ".-+/,"):
            return None
        if after.isdigit():
            return None
        if prev and prev in "第每":
            return None  # 第3届, 第101项, 每10人
        at = m.start()
        if prev == "等" or _SCOPE_BEFORE.search(s, max(0, at - 3), at):
            return None  # 等5个重点产业链; 全市13个重点产业链, 原有5平方公里
        if measure == "个" and _DURATION.match(rest):
            return None  # 3个月
        if _TITLE_COUNT.match(rest) and measure in ("件", "项"):
            return None  # 十件民生实事
        if s.startswith("强", m.end()):
            return None  # 50强
        if post in ("以上", "以下") and not ends_clause:
            return None  # 5000万元以上科技成果转化项目, 5000万元以下的企业
        if (
            MONEY_OR_SIZE.match(measure)
            and not post
            and (after == "的" or (not ends_clause and _ATTRIBUTE_NOUN.match(rest)))
        ):
            return None  # 投资5000万元的项目, 80万吨乙烯改扩建项目
        if measure == "分" and (_SCORE_RULE.search(clause) or not _RATING.search(clause)):
            return None  # 计5分, 考核得分90分; a rating (满意度达90分) stays
        if _RATE.search(clause):
            return None  # 每季度完成30件, 每增1个百分点
        if _PAST.search(clause) or self._reported(start):
            return None  # 已累计完成31.7万亩, 整体进度已完成…的55%
        part = self._breakdown_part(start)
        if part is not None and not (pre or post or COMMITMENT.search(part)):
            return None  # 其中小学8所
        if (
            measure not in ("%", "‰", "个百分点", "百分点")
            and _RESTATED.search(clause)
            and self._set_before(start, _fold_measure(measure, ""))
        ):
            return None  # 达到18600元,比上年增加1200元

        if chinese:
            if raw[0] in "万亿":
                return None  # 亿元企业3家: a magnitude, not a number
            # 三个区分开来, 两个维护, 工程(二期): Chinese numerals count only right after a
            # target verb ("新建学校十二所").
            window = WINDOW.search(s, max(0, start - 4), start)
            if not (pre or (window and VERB_ANY.search(window.group()))):
                return None
            if raw == "一" or (raw == "两" and measure in _IDIOM_TWO):
                return None  # 一批, 一支, 两个
        elif not (ends_clause or pre or post or self.column or self._governed(start)):
            return None  # 3个中心, 18个乡镇: a count in passing

        value = cn_to_number(raw.replace(",", ""))
        if value is None or not math.isfinite(value):
            return None
        upper: float | None = None
        if m.group("lo"):
            upper = cn_to_number(m.group("hi").replace(",", ""))
            if upper is None or not value < upper < math.inf:
                return None
        text = self.raw[m.start() : m.end()]
        return Target(
            text=text,
            value=value,
            measure=_fold_measure(measure, m.group("paren") or ""),
            op=_op(pre or more, post, upper is not None),
            upper=upper,
        )

    def _set_before(self, pos: int, measure: str) -> bool:
        """Whether a target in `measure` was already set earlier in the sentence."""
        since = self.sentence_start(pos)
        for p, t in reversed(self.found):
            if p < since:
                return False
            if t.measure == measure:
                return True
        return False

    def _governed(self, pos: int) -> bool:
        """Whether a target verb governs the number: right before it ("集聚50名") or opening
        its clause ("完成秦南路…3.4公里道路改造", "为4000名小学生…"). A verb deeper in the
        clause is usually part of a name ("科技金融服务中心3个中心")."""
        s = self.s
        if VERB_END.search(s, max(0, pos - 4), pos):
            return True
        cs = self.clause_start(pos)
        lead = _CLAUSE_LEAD.match(s, cs, pos)
        return bool(VERB_IN.match(s, lead.end() if lead else cs, pos))

    def _reported(self, pos: int) -> bool:
        """Whether the sentence holding `pos` reports: it opens so ("已累计完成…", "截至10月底,…")
        or work is under way before the number ("正在施工中,整体进度70%")."""
        since = self.sentence_start(pos)
        return bool(
            _REPORT_OPENING.match(self.s, since, pos) or self.s.find("正在", since, pos) != -1
        )

    def _breakdown_part(self, pos: int) -> str | None:
        """The breakdown part holding `pos` ("其中省级以上超10家" → "省级以上超"), None if none."""
        k = bisect.bisect_right(self.breakdown_starts, pos) - 1
        if k < 0 or pos >= self.breakdowns[k][1]:
            return None
        a = self.breakdowns[k][0]
        cut = max(self.s.rfind(ch, a, pos) for ch in ",、;:(，；：（")
        return self.s[max(a, cut + 1) : pos]

    def _bare_numbers(self) -> None:
        """A target column's lone bare number: "186", "低于 4.1", "增长6"."""
        s = self.s
        taken = [(p, p + len(t.text)) for p, t in self.found]
        bare: list[re.Match[str]] = []
        for m in BARE.finditer(s):
            start = m.start("lo") if m.group("lo") else m.start("num")
            if any(a <= start < b for a, b in self.progress):
                continue
            end = m.end("hi") if m.group("hi") else m.end("num")
            prev = s[start - 1] if start > 0 else ""
            if any(a <= start < b for a, b in (*taken, *self.quoted)):
                continue
            if prev and (
                (prev.isascii() and (prev.isalnum() or prev in ".-+/,")) or prev in "第每"
            ):
                continue  # S307, 第3, part of a number
            if NOT_AFTER_BARE.match(s, end):
                continue  # 2019年, 5G, 18个 (read above with its measure)
            bare.append(m)
        if len(bare) != 1:
            return  # none, or a flattened row of numbers ("2 5 1 2 10")
        m = bare[0]
        raw = m.group("num") or m.group("lo")
        value = float(raw.replace(",", ""))
        upper = float(m.group("hi").replace(",", "")) if m.group("hi") else None
        if not math.isfinite(value) or (upper is not None and not value < upper < math.inf):
            return
        pre = m.group("pre") or ""
        post = (m.group("post") or "").strip()
        start = m.start("lo") if m.group("lo") else m.start("num")
        target = Target(
            text=self.raw[m.start() : m.end()].strip(),
            value=value,
            measure="",
            op=_op(pre, post, upper is not None),
            upper=upper,
        )
        self.found.append((start, target))


def _op(pre: str, post: str, is_range: bool) -> TargetOp:
    if is_range:
        return "range"
    if post in ("左右", "上下") or pre in ABOUT:
        return "≈"
    if post in ("以内", "之内", "以下") or pre in AT_MOST:
        return "≤"
    if pre in MORE:
        return ">"
    return "≥"


def _fold_measure(measure: str, paren: str) -> str:
    """The measure as progress replies write it: Simplified, 人(次) → 人次."""
    if paren == "(次)" and measure.endswith("人"):
        return measure + "次"
    return measure


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside “…” and 《…》: numbers there are names ("“532”发展战略"), not targets."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < n:
        close = _QUOTES.get(text[i])
        if close is None:
            i += 1
            continue
        j = text.find(close, i + 1)
        if j == -1 or j - i > 60:
            i += 1
            continue
        spans.append((i, j))
        i = j + 1
    return spans
