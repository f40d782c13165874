"""One step of the work, as opposed to the whole item.

Items are done in steps — feasibility study, tender, first draft, approval, main structure, first
phase — and a contact who finished a step says 已完成 about it. A done word about a step is
progress, not done ("已完成可研编制", "招标已完成", "一期已建成"), and a date for a step is not
when the item will be done ("预计11月中旬完成立项").

- STEP: the words that name a step (可研, 立项, 招标, 选址, 设计, 初稿, 征求意见, 调研, 前期, 备案,
  审批, 征地, 签约, 主体, 封顶, 一期, 第一阶段, 部分, 初步, 评审, 申报, 公示, 资金…), and in English
  tender, design, draft, feasibility, phase, survey, procurement, approval, foundation.
- WHOLE: what names the whole of the work after 已完成 ("已完成年度目标任务", "已完成本项工作",
  "已完成整改", "已完成验收", "已完成龙城实验室建设"), or the policy a 出台/印发 item is about
  ("已印发《实施办法》", "已出台实施细则"). 已完成 + anything else is a step.
"""

from __future__ import annotations

import re

STEP = re.compile(
    r"可研|可行性研究|立项|招标|招投标|投标|采购|选址|设计|初稿|草案|征求意见|意见征求|调研|摸底|摸排"
    r"|前期|备案|审批|报批|批复|环评|能评|稳评|土地|用地|征地|征收|拆迁|签约|合同|协议|主体|封顶|基础工程"
    r"|基础施工|桩基|开工|一期|二期|首期|第一阶段|第一批|首批|阶段|部分|试点|初步|初审|评审|论证|申报|起草"
    r"|方案编制|方案设计|方案论证|框架|遴选|筛选|对接|考察|洽谈|资料|材料|公示|清单|资金|经费|准备|筹备"
    r"|试运行|通知"
    r"|\b(?:tender(?:ing)?|design|draft|feasibility|phase|stage|survey|procurement|approval"
    r"|foundation|groundwork|first\s+part)\b",
    re.IGNORECASE,
)
# After 已完成: the whole of the work, when nothing in it names a step.
WHOLE = re.compile(
    r"(?:任务|目标|工作|建设|内容|计划|指标|编制|制定|修订|出台|印发|发布|改造|整治|整改|验收|搭建"
    r"|组建|创建|挂牌|部署|全部|各项|所有|办法|意见|规划|政策|细则|制度|标准|条例|规定|指南|方案)$"
    r"|^《"
)
# What may follow a done word without being its object: particles and conjunctions.
_NOT_AN_OBJECT = re.compile(
    r"^(?:了|啦|喽|哦|呢|吧|呀|的|并|且|还|也|都|均|后|待|，|,|\s|$"
    r"|(?:实施|执行|施行|运行|投用|使用|到位|完毕|落地)(?:$|[^\u3400-\u9fff]))"  # "已印发实施"
)
_OBJECT_END = re.compile(r"[并且及和与,,。;;!!??、\s(())]|待|后")


def object_of(after: str) -> str:
    """What a done word is done to: "已完成|可研编制及评审" → "可研编制"; "" when nothing is."""
    if (
        not after
        or not re.match(r"[\u3400-\u9fffA-Za-z《“\"]", after)
        or _NOT_AN_OBJECT.match(after)
    ):
        return ""
    if after[0].isascii():  # "the tender, construction ongoing"
        return re.split(r"[,.;!?()]", after, maxsplit=1)[0][:40]
    end = _OBJECT_END.search(after)
    return after[: end.start()] if end else after[:16]


def is_step(text: str) -> bool:
    """Whether `text` (a subject or an object of a done word) names a step of the work."""
    return STEP.search(text) is not None


def is_whole(obj: str) -> bool:
    """Whether the object of 已完成 is the whole of the work, not a step."""
    return not is_step(obj) and WHOLE.search(obj) is not None
