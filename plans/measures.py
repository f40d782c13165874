"""Measure words (量词 and units) a quantity is counted in: 家, 名, 万人, 亿元, %, 公里, 个托位 ….

Targets (targets.py) are read with ALL_MEASURES; progress replies (replies/values.py,
replies/refs.py) with MEASURES, the public list, which leaves out the words a reply's item
reference could start with (see _TARGET_ONLY).
"""

from __future__ import annotations

# Measure words a target can carry, as Simplified text, magnitude included. Replies' values are
# read with these, and "4 <measure>" at the start of a reply is taken as a quantity rather than
# an item reference, so words that often start an ordinary word (处理, 张科长, 起草, 村里, 班子)
# are kept out of this public list and live in _TARGET_ONLY below.
_BASE = (
    "平方公里 平方米 立方米 公顷 千瓦时 千瓦 兆瓦时 兆瓦 千米 人次 个百分点 百分点 张床位 床位 "
    "个托位 托位 美元 元 % ‰ 家 名 人 项 件 篇 套 个 场 次 所 座 条 台 批 门 户 亩 公里 吨 支 部 "
    "本 份 期 位 例 种 款 分 倍 辆 株 棵 栋 幢 穴"
).split()
# These take 万/亿 in front: 万人, 亿元, 万亩, 亿立方米, 万千瓦.
_SCALABLE = (
    "元 美元 人 人次 名 户 亩 平方米 立方米 吨 千瓦 千瓦时 件 个 套 辆 株 棵 册 头 只 张 公里 千米 例 穴"
).split()
MEASURES: tuple[str, ...] = tuple(
    dict.fromkeys(
        _BASE
        + [f"{mag}{m}" for mag in "万亿" for m in _SCALABLE]
        + "万家 万台 万平方公里 亿人次".split()
    )
)
# Measures a plan writes but a reply's item reference could start with ("4 处理中").
_TARGET_ONLY = "处 张 间 班 村 起 床 米 块 宗 头 只 眼 册 万 亿".split()
ALL_MEASURES = sorted({*MEASURES, *_TARGET_ONLY}, key=len, reverse=True)
