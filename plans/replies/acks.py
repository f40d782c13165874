"""Acknowledgements: "收到", "好的", "已阅", "👌" — a reply that only says the nudge arrived.

An acknowledgement is not progress: nothing is recorded, and the bot answers with a one-line hint
of how to report. A reply is one when it holds an acknowledgement word or emoji (收到, 好的, 已阅,
知道了, 明白, 收悉, 嗯, OK, 👌, 👍, 🙏, noted, got it, thanks) and besides it at most a promise to
act (马上落实, 会尽快办理, 稍后报送进展), a courtesy (领导, 谢谢提醒) and punctuation or emoji —
nothing that reads as progress ("收到,已完成" is done, "收到,已上报" in progress).
"""

from __future__ import annotations

import re
import unicodedata

_MAX = 60  # an acknowledgement is short; anything longer says something else
_ACK = re.compile(
    r"已收悉|已收到|已知悉|收悉|收到|知悉|已阅|已读|阅|好的|好滴|好嘞|好哒|好|行|可以|没问题|嗯+|哦+|噢+"
    r"|知道了|知道|明白了|明白|了解了|了解|谢谢|感谢|多谢|辛苦了|辛苦|是的|遵照执行|照办|遵办"
    r"|(?<![A-Za-z])(?:ok+|okay|kk?|thanks|thank\s+you|thx|noted|got\s+it|received|roger|will\s+do"
    r"|sure|understood|yes|yep)(?![A-Za-z])"
    r"|[👌👍🙏🤝💪🫡✌👏]",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"(?:会|将|我们|我|马上|立即|立刻|尽快|抓紧|及时|按要求|按时|稍后|晚点|随后|下周|明天)*"
    r"(?:落实|办理|推进|处理|安排|报送|上报|反馈|汇报|跟进|办|报)(?:进度|进展|情况)?"
)
_COURTESY = re.compile(
    r"领导|老师|主任|科长|处长|您|你|提醒|通知|消息|马上|立即|立刻|尽快|抓紧|的|啦|了|呀|哈|呢|吧|哦"
)


def is_acknowledgement(text: str) -> bool:
    """Whether the (clean) reply is only an acknowledgement, with nothing reported."""
    if not text or len(text) > _MAX:
        return False
    rest, acks = _ACK.subn(" ", text)
    if not acks:
        return False
    rest = _COURTESY.sub(" ", _PROMISE.sub(" ", rest))
    return all(unicodedata.category(ch)[0] in "PSZCM" for ch in rest)
