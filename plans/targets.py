"""Quantitative targets (量化指标) in an item's text: "净增高新技术企业600家以上" → ≥ 600 家.

A number with a measure word is a target when the plan sets it as one: it ends a clause
("…达1750人。", "超20家,其中…"), or a target verb stands right before it ("集聚50名科研人才").
It is not a target when it only describes something: inside quotes or 《》, after 等 ("等5个重点
产业链"), as an attribute ("5000万元以上科技成果转化项目", "5000万元以下的企业"), or a year.
"""

from __future__ import annotations

import re

from plans.model import Target, TargetOp
from plans.numerals import CN_DIGITS, cn_to_number

# Measure words as written, magnitude included; longest first so 万人 wins over 人.
MEASURES = (
    "万平方米 平方公里 平方米 万人次 人次 万人 万元 亿元 万美元 亿美元 美元 元 个百分点 百分点 "
    "% ‰ 家 名 人 项 件 篇 套 个 场 次 所 座 条 台 批 门 户 亩 公里 吨 支 部 本 份 期 位 例 种 款 分 倍"
).split()

_AR = r"\d+(?:\.\d+)?"
_CN = f"[{CN_DIGITS}]+"
_MEASURE = "|".join(re.escape(m) for m in sorted(MEASURES, key=len, reverse=True))

_BEFORE_AT_LEAST = r"超过|超|突破|不少于|不低于|至少|达到|达|力争|争取|新增|净增|累计"
_CANDIDATE = re.compile(
    rf"(?P<pre>{_BEFORE_AT_LEAST}|高于|多于|大于|约|近|不超过|控制在)?"
    rf"(?:(?P<lo>{_AR}|{_CN})\s*(?:-|~|—|–|至|到)\s*(?P<hi>{_AR}|{_CN})|(?P<num>{_AR}|{_CN}))"
    rf"\s*(?P<measure>{_MEASURE})"
    r"(?P<paren>\([^()]{1,8}\))?"
    r"(?P<post>以上|左右|以内|以下|上下)?"
)

# Verbs that make the number right after them a target even when a noun follows.
_TARGET_VERBS = (
    "达到 达 超过 超 突破 新增 净增 累计 引进 引育 培育 培养 集聚 举办 开展 实施 立项 支持 组织 "
    "招引 认定 新认定 完成 开发 开设 建设 共建 新建 建成 争取 创建 争创 聘请 转化 带动 承担 申请 "
    "授权 设立 建立 打造 孵化 吸引 培训 选派 发布 制定 出台 推荐 遴选 落地 签约 引导 资助 服务 "
    "不少于 不低于 至少 力争 约 近 控制在 不超过"
).split()
_VERB_RE = re.compile("(?:" + "|".join(sorted(_TARGET_VERBS, key=len, reverse=True)) + ")$")

# A parenthesis after a number closes its phrase too: "120家(其中省级以上30家)".
_CLAUSE_END = set(",。;;、:!?()\n") | {""}
_OPEN_QUOTES = {"“": "”", "《": "》", '"': '"', "‘": "’", "「": "」"}


def find_targets(text: str) -> list[Target]:
    """The quantitative targets an item sets, in order of appearance."""
    quoted = _quoted_spans(text)
    targets: list[Target] = []
    for m in _CANDIDATE.finditer(text):
        start = m.start("lo") if m.group("lo") else m.start("num")
        if any(a <= start < b for a, b in quoted):
            continue
        target = _target(m, text, start)
        if target is not None:
            targets.append(target)
    return targets


def _target(m: re.Match[str], text: str, start: int) -> Target | None:
    measure = m.group("measure")
    post = m.group("post") or ""
    pre = m.group("pre") or ""
    before = text[max(0, start - 6) : start]
    prev = text[start - 1] if start > 0 else ""
    after = text[m.end() : m.end() + 1]
    raw = m.group("num") or m.group("lo")
    chinese = not raw[0].isdigit()

    # Not part of a larger token: "G60", "4.0版", "2023常州", "5.18展洽会".
    if prev and prev.isascii() and (prev.isalnum() or prev in ".-+/"):
        return None
    if after.isdigit():
        return None
    if before.endswith("等") or (prev and prev in "第每"):
        return None
    # Attributes, not targets: "5000万元以上科技成果转化项目", "5000万元以下的企业", "50强".
    if after == "的" or text.startswith("强", m.end()):
        return None
    ends_clause = after in _CLAUSE_END or (not after)
    if post in ("以上", "以下") and not ends_clause:
        return None
    verb_before = bool(pre) or bool(_VERB_RE.search(text[max(0, start - 4) : start]))
    if chinese:
        if raw[0] in "万亿":  # "亿元企业3家": a magnitude, not a number
            return None
        # "三个区分开来", "两个维护": Chinese numerals only count with a target verb right before.
        if not (pre or _VERB_RE.search(text[max(0, start - 4) : start])):
            return None
        # 一批, 一支, 一个, 两个: idioms of quantity, not targets.
        if raw == "一" or (raw == "两" and measure in ("个", "项", "批", "次", "支", "条")):
            return None
    elif not (ends_clause or verb_before or post):
        return None

    value = cn_to_number(raw)
    if value is None:
        return None
    upper: float | None = None
    op: TargetOp
    if m.group("lo"):
        upper = cn_to_number(m.group("hi"))
        if upper is None or upper <= value:
            return None
        op = "range"
    elif post in ("左右", "上下") or pre in ("约", "近"):
        op = "≈"
    elif post in ("以内", "以下") or pre in ("不超过", "控制在"):
        op = "≤"
    elif pre in ("高于", "多于", "大于"):
        op = ">"
    else:
        op = "≥"
    return Target(text=text[m.start() : m.end()], value=value, measure=measure, op=op, upper=upper)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside “…” and 《…》: numbers there are names ("“532”发展战略"), not targets."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < n:
        close = _OPEN_QUOTES.get(text[i])
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
