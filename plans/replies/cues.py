"""Status words in a reply, each kept only where nothing around it undoes it.

- Blocked, as a state: 有困难, 遇到困难, 存在(一定)问题, 有难度, 需…协调, 受阻, 卡住/卡在, 推不动,
  无法推进, 进度偏慢, 滞后, 延误, 停滞, 停工, 搁置, 暂停, 暂缓, 叫停; and completion that can't
  happen: 做不完, 完不成, 无法完成, 难以按期完成, 恐难 (blocked, stuck, on hold, paused, delayed
  due to, can't finish).
- Blocked, as a cause: a shortage or a missing prerequisite: 资金缺口(大), 人手不足, 人员紧张,
  缺资金, 资金未到位, 土地未落实, 审批(验收)未通过, 难度大, 协调不畅, 不配合 (lack of, short of,
  funding gap).
  Neither counts when negated ("没有困难", "未滞后") or solved ("困难已解决", "问题:无").
- Not started: 未启动, 尚未开展, 还没开始, 暂未实施, 还没动 (not started).
- Almost done: 基本完成, 基本建成, 接近尾声, 收尾, 扫尾, 即将完成, 快(要)…完了/好了, 马上完成,
  差不多完成了, 就差, 还差一点 (almost done, nearly finished).
- In progress: 推进中, 正在…, 进行中, 进展正常, 在做, 试运行, 已启动, 已开工, a step taken (已立项,
  已招标, 已批复, 已封顶, 已上报, 已报请, 已审议, 已对接, 已签订), waiting (待批复, 等待, 还在等,
  waiting), a part done (部分完成),
  and a done word about a step or a share of the work (below).
- Work left, which undoes even 全部完成: 剩余, 还需, 尚有, 其余, 除…外, 个别, 大部分, 待…后, and negated
  completion (未完成, 没做完, 尚未完成, 未能按期完成).
- Done: 已完成, 完成了, 做完了, 弄好了, 已办结, 已落实, 已结束, 已整改, 任务完成, 已印发, 已上线,
  搞定 (done, completed, finished), and beyond doubt: 全部完成, 全面完成, 超额完成, 已竣工, 已建成,
  已投用, 已投入运营, 通过验收, 已达标. A reply opening with "完成" and nothing but punctuation after
  it is done too. A done word in a question ("是否已完成?", "已全部完成吗") is not a report.
  A done word is not done when negated (未完成), planned (预计…完成), almost or partial
  (基本完成, 部分完成); it is a share when a quantity follows ("已完成60%", "已完成投资2亿元");
  it is a step when its subject or object names a step ("招标已完成", "已完成可研编制"), and
  已完成 (落实, 制定, 出台, 印发, 发布) + an object is a step unless the object is the whole work ("已完成年度
  目标任务") or a policy document ("已印发《实施办法》"; "已印发通知" is a step).
"""

from __future__ import annotations

import re
from typing import Literal

from plans.numerals import CN_DIGITS
from plans.replies.cleaning import Clauses
from plans.replies.frames import almost_or_part, negated, planned
from plans.replies.steps import is_step, is_whole, object_of
from plans.replies.values import MEASURE

BLOCKED_STATE = re.compile(
    r"有困难|遇到(?:了)?(?:一些|一定|较大|很大)?困难|存在(?:一些|一定|较大|很大)?困难"
    r"|面临(?:一些|一定|较大)?困难|有(?:一定|较大|很大)?难度"
    r"|(?:需要?|请求|恳请|提请)[\u3400-\u9fff]{0,6}协调|需要?重新"
    r"|(?:困难|问题|难点|堵点)\s*(?:是|在于|主要是)?\s*:|困难是|困难在于|问题是|问题在于"
    r"|受阻|阻碍|卡住|卡壳|卡在|推不动|推进不下去|进行不下去|无法推进|难以推进|推进困难|推进缓慢"
    r"|进展缓慢|进度缓慢|(?:进度|进展)(?:偏|较)慢|推进不力|存在(?:一些|一定|较大|很大)?问题|滞后|延误"
    r"|被?(?:叫停|搁置|暂停|暂缓|中止)|停滞|停工|停产|停摆"
    r"|无法按期|不能按期|难以按期|无法按时|不能按时|难以按时|无法完成|不能完成"
    r"|难以完成|完不成|做不完|干不完|恐难|无法开展|无法实施"
    r"|\bblocked\b|\bblockers?\b|\bstuck\b|\bon\s+hold\b|\bpaused\b|\bsuspended\b|\bstalled\b"
    r"|\b(?:delayed|held\s+up)\s+(?=due\s+to|because|by\b)"
    r"|\b(?:can't|cannot|can\s+not|won't|unable\s+to)\s+(?:finish|complete|be\s+done)"
    r"|\b(?:problems?|issues?|difficult(?:y|ies))\s*:",
    re.IGNORECASE,
)
BLOCKED_CAUSE = re.compile(
    r"资金缺口|缺口(?:较|很|比较|非常)?大|资金链断裂"
    r"|(?:资金|经费|人手|人员|人力|力量|场地|用地|土地|指标)(?:严重|较为|比较|明显|都|仍然?)?"
    r"(?:不足|短缺|紧张|紧缺|缺乏|不够)"
    r"|缺(?:人|钱|资金|经费|人手|专业)"
    r"|(?:资金|经费|土地|用地|指标|设备|材料|手续|批文)(?:至今|一直|迟迟|尚|还|仍)?(?:未|没有?|不)"
    r"(?:到位|落实|到货|拨付|下达|批复|办结|办妥)"
    r"|(?:审批|验收|评审|审核|审查)(?:未|没有?|不)通过|审批被退回|未获批|未通过(?:审批|验收|评审)"
    r"|难度(?:较|很|比较|非常)?大|阻力(?:较|很)?大|协调不畅|不配合"
    r"|\black\s+of\b|\bshort\s+of\b|\bunderstaffed\b|\bno\s+funding\b|\bfunding\s+gap\b",
    re.IGNORECASE,
)
NOT_STARTED = re.compile(
    r"(?:尚|还|暂|仍)?(?:未|没有?)(?:启动|开展|开始|开工|动工|实施)"
    r"|(?:还|尚)(?:未|没有?)动(?![\u3400-\u9fff])"
    r"|\bnot\s+(?:yet\s+)?(?:started|begun)\b"
    r"|\b(?:haven't|have\s+not|hasn't|has\s+not)\s+(?:yet\s+)?(?:started|begun)\b",
    re.IGNORECASE,
)
ALMOST = re.compile(
    r"基本(?:完成|建成|竣工|完工|办结|到位|落实|达标|结束)|接近尾声|进入尾声|尾声阶段|收尾|扫尾"
    r"|即将(?:完成|竣工|完工|建成|投用|投产|办结|结束|交付|验收)|接近完成|临近完成|就差|还差一点"
    r"|(?<![加尽很较赶飞])快要?(?:[做干弄搞办])?(?:完成|完工|竣工|建成|完事|完|好|结束)了?"
    r"|马上(?:就)?要?(?:[做干弄搞办])?(?:完成|完工|竣工|建成|完|好|结束)"
    r"|差不多(?:[做干弄搞])?(?:完成|完|好)了?|差不多了"
    r"|\b(?:almost|nearly|mostly)\s+(?:done|complete|completed|finished)\b"
    r"|\b(?:finishing|wrapping)\s+up\b|\bfinal\s+stage\b",
    re.IGNORECASE,
)
IN_PROGRESS = re.compile(
    r"推进中|(?:仍|还|一直)在[\u3400-\u9fff]|进行中|有序推进|按[\u3400-\u9fff]{1,6}推进|处于[\u3400-\u9fff]{1,8}阶段"
    r"|按计划推进|按序时推进|按进度推进|按时序推进|序时进度|稳步推进|扎实推进|加快推进|积极推进|全力推进"
    r"|持续推进|顺利推进|正常推进|加紧推进|正在[\u3400-\u9fff]|实施中|建设中|办理中|施工中|推进当中"
    r"|在建|已经?(?:启动|开工|开展|动工|开始|进场|立项|招标|签约|备案|批复|获批|封顶|上报|报送|报审"
    r"|报批|报请|提请|呈报|提交|审议|联系|对接|沟通|部署|安排|定稿)|审议通过|启动实施|进展顺利|推进顺利"
    r"|(?:进展|推进|进度|运行)正常|按计划进行|过半|大部分完成|部分完成|初步完成|(?:正|还|仍)?在等|等待"
    r"|阶段性完成|待(?:省里|市里|上级)?(?:批复|审批|审核|审定)|等待(?:[\u3400-\u9fff]{0,4})(?:批复|审批|审核)"
    r"|试运行|在(?:弄|做|搞|干|办)|[做干弄搞办]着|已经?(?:签订|签署)"
    r"|\bin\s+progress\b|\bongoing\b|\bon\s+track\b|\bunder\s*way\b|\bstarted\b|\bworking\s+on\b"
    r"|\bprogressing\b|\bwaiting\b|\bnot\s+(?:yet\s+)?(?:done|complete|completed|finished)\b",
    re.IGNORECASE,
)
# Work left: not done, even beside "全部完成" ("除个别事项外已全部完成").
REMAINING = re.compile(
    r"剩余|剩下|其余|还需|尚需|仍需|还有|尚有|仍有|除[^,,。;;]{1,12}外|个别|(?:绝?大|多)部分|大多数"
    r"|[((]\s*(?:一?部分|未完)"
    r"|(?:尚|还|仍|暂)?(?:未|没有?)(?:能|按期|按时|如期|全部|全面){0,2}"
    r"(?:完成|[做干弄搞办]完|验收|投用|投入使用|交付|竣工|完工|办结|建成|出台|印发)"
    r"|待[^,,。;;]{1,8}后"  # "待验收后投用": a step still to come
    r"|\b(?:remaining|rest\s+of|except)\b",
    re.IGNORECASE,
)
# Done, beyond doubt: the whole item is finished even if paperwork after it is mentioned.
DONE_STRONG = re.compile(
    r"全部完成|全面完成|圆满完成|全部办结|已办结|已竣工|已建成|已完工|超额完成|已投用|已投入使用"
    r"|已投运|已投产|已投入运营|已交付|已验收|通过(?:[\u3400-\u9fff]{0,4})验收|已达标",
)
DONE = re.compile(
    r"已经?完成|完成了|已落实|已达成|已实现|已搞定|搞定了?|顺利完成|提前完成|办结"
    r"|已经?(?:于|在|按|如期|按期|按时|提前|顺利)(?:(?!预计|争取|力争|将|拟)[^,。;!?]){0,12}?"
    r"(?:完成|办结|完工|竣工|建成|印发|出台|发布)"
    r"|(?:已经?|均已|全部|已全部)[\u3400-\u9fff]{0,4}完毕"
    r"|(?:做|干|弄|搞|办)(?:完|好)了|已经?(?:全部|全面)?结束|已经?整改(?:到位|完毕)?"
    r"|(?:工程|项目|任务|工作)(?:已经?|均已|全部|已全部)?(?:完成|完工|竣工|结束)(?![率度情进])"
    r"|已经?(?:正式)?(?:出台|印发|发布|挂牌|揭牌|上线|制定)"
    r"|\bdone\b|\bcompleted?\b|\bfinished\b",
    re.IGNORECASE,
)
# The reply opens with "完成" and nothing but punctuation or emoji follows: "完成", "完成,请销号".
_DONE_LEAD = re.compile(r"^(?:已|都|均|全)?完成(?:了|啦|喽)?(?=$|[\s,。;!?~.…:、)]|[^\w\s\-−+%])")
# A quantity after "已完成" ("60%", "六成", "投资2亿元", "3项", "800余个", "1.5亿") makes it a
# share, not the item; a bare number ("已完成(见附件1)") doesn't.
_NUMBER_AFTER = re.compile(
    rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+)\s*(?:余|多)?(?:%|成|分之|{MEASURE}|万|亿)|百分之|过半|一半"
)
_SHARE_BEFORE = re.compile(r"\d\s*%|[一二两三四五六七八九]成|分之|过半|一半")
_SOLVED_AFTER = re.compile(r"^.{0,12}?(?:已|已经|均已)(?:解决|克服|协调|化解|消除|排除)")
_NONE_AFTER = re.compile(r"^\s*[::]?\s*(?:无|没有|暂无|none\b|no\b)", re.IGNORECASE)

DoneKind = Literal["done", "share", "step"]


class Cues:
    """The status words of a reply, each kept only where no negation or plan-speak undoes it."""

    def __init__(self, s: str, clauses: Clauses) -> None:
        self.blocked_state = _standing(BLOCKED_STATE, s, clauses)
        self.blocked_cause = _standing(BLOCKED_CAUSE, s, clauses)
        self.not_started = [m for m in NOT_STARTED.finditer(s) if not negated(clauses, m.start())]
        self.almost = [m for m in ALMOST.finditer(s) if not negated(clauses, m.start())]
        self.in_progress = [m for m in IN_PROGRESS.finditer(s) if not negated(clauses, m.start())]
        self.remaining = list(REMAINING.finditer(s))
        self.done_strong: list[re.Match[str]] = []
        self.done: list[re.Match[str]] = []
        # "已完成投资2亿元": a share, partial unless the value reaches the target.
        self.shares: list[re.Match[str]] = []
        self.steps: list[re.Match[str]] = []  # "已完成招标": one step of the work
        for pattern, found in ((DONE_STRONG, self.done_strong), (DONE, self.done)):
            for m in pattern.finditer(s):
                if any(a.start() <= m.start() < a.end() for a in self.done_strong):
                    continue  # "已全部完成" is one cue, not two
                if clauses.question(clauses.index(m.start())):
                    continue  # "已全部完成?", "是否已完成": a question, not a report
                kind = done_kind(clauses, m, strong=pattern is DONE_STRONG)
                if kind == "done":
                    found.append(m)
                elif kind == "share":
                    self.shares.append(m)
                elif kind == "step":
                    self.steps.append(m)
        lead = _DONE_LEAD.match(s.strip())
        self.done_lead = lead is not None and not clauses.question(0)

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_state or self.blocked_cause)

    @property
    def any_done(self) -> bool:
        return bool(self.done_strong or self.done or self.done_lead)


def _standing(pattern: re.Pattern[str], s: str, clauses: Clauses) -> list[re.Match[str]]:
    """Difficulty words not negated ("没有困难", "未滞后") nor solved ("困难已解决", "问题:无")."""
    out: list[re.Match[str]] = []
    for m in pattern.finditer(s):
        if negated(clauses, m.start()):
            continue
        tail = clauses.after(m.end())
        if _SOLVED_AFTER.match(tail) or _NONE_AFTER.match(tail):
            continue
        out.append(m)
    return out


def done_kind(clauses: Clauses, m: re.Match[str], *, strong: bool) -> DoneKind | None:
    """Whether a done word says the item is done, a share or a step of it is, or neither."""
    start = m.start()
    if negated(clauses, start) or almost_or_part(clauses, start) or planned(clauses, start):
        return None  # 未完成 / 基本完成了 / 预计…完成: other cues read these
    before = clauses.before(start)
    after = clauses.after(m.end())
    # "已完成60%", "已完成投资2亿元", "60% done": a share of the item, not all of it.
    if _NUMBER_AFTER.search(after) or _SHARE_BEFORE.search(before):
        return "share"
    if is_step(before[-12:]) or is_step(m.group(0)):
        return "step"  # "招标已完成", "一期已建成", "design done", "通过初步验收"
    obj = object_of(after.lstrip())
    if obj and is_step(obj):
        return "step"  # "已完成可研编制", "已建成一期"
    if obj and _SAID_OF_WORK.search(m.group(0)) and not strong and not is_whole(obj):
        return "step"  # 已完成 + an object that is not the whole work, 已印发 + a mere notice
    return "done"


# Done words whose object must be the whole work (or a policy document) to make the item done.
_SAID_OF_WORK = re.compile(r"完成|出台|印发|发布|制定|落实")
