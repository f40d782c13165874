"""What one name in a unit list is: a body (organ), a collective, a person, a role or a note.

A body is known by how it ends (…局/委/办/中心/政府/管委会/街道/镇…, the longest ending
counts) after a proper head (发改委, 市委; not 全部, 小区); a collective is 各 + places
(各县(市、区), 各乡镇, 各有关部门); a person is a surname and one or two characters (朱先涛,
`陈  忠`); a role is a title (各区区长, 相关管委会主任, 分管领导, 责任人); a note is about units
(以下均需…, 不再逐一列出). Traditional characters are read like Simplified ones (`縣政府`).

The vocabulary these readings rest on lives here too, and splitting a list (units.py) shares
it: Traditional → Simplified folding, organ endings, places and their levels, label words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Traditional → Simplified for the characters the rules look at. One character for one, so a
# position in the simplified copy is the same position in the name as written.
_T2S_PAIRS = (
    "縣县 區区 鄉乡 鎮镇 轄辖 級级 辦办 廳厅 會会 黨党 團团 處处 隊队 協协 聯联 門门 單单 開开"
    " 發发 範范 銀银 檢检 總总 婦妇 殘残 務务 長长 記记 書书 領领 導导 責责 負负 職职 別别"
    " 關关 屬属 場场 設设 業业 農农 衛卫 學学 園园 員员 牽牵 頭头 與与 進进 實实 經经 濟济"
    " 臺台 館馆 組组 專专 體体 資资 機机 構构 環环 電电 視视 報报 審审 稅税 財财 興兴 華华"
    " 國国 際际 醫医 勞劳 廣广 陳陈 劉刘 張张 楊杨 趙赵 黃黄 吳吴 鄭郑 孫孙 馬马 羅罗 謝谢"
    " 許许 葉叶 蘇苏 錢钱 馮冯 蔣蒋 韓韩 鄧邓 蕭萧 盧卢 賴赖 鍾钟 龍龙 萬万 鄒邹 閻阎 顧顾"
    " 嚴严 陸陆 湯汤 賈贾 譚谭 喬乔 龔龚 溫温 聶聂 齊齐 歐欧 險险 護护 劃划 價价"
)
_T2S = str.maketrans({pair[0]: pair[1] for pair in _T2S_PAIRS.split()})

# Organ endings: what a body's name ends with; the longest one counts. The multi-character ones matter
# for the ending a bare name shares (荒湖管理区 → 管理区, not 区) and for names that need no
# single-character ending (…政府, …中心, …公司).
_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        """
        人民政府 政府 管委会 党工委 党委 委员会 办事处 办公室 中心 集团 公司 协会 联合会 学会
        商会 总会 基金会 红十字会 工会 总工会 工商联 团委 妇联 残联 科协 侨联 文联 社科联 人大
        政协 海关 部门 单位 机构 街道 社区 管理区 开发区 示范区 园区 新区 功能区 银行
        支行 分行 法院 检察院 大队 支队 总队 中队 指挥部 小组 专班 处室 科室 分局 学校 医院
        电视台 报社 局 委 办 厅 院 处 科 室 股 站 所 队 部 社 区 县 乡 镇 署 组 台 馆 团
        """.split(),
        key=len,
        reverse=True,
    )
)
_ENDING_SET = frozenset(_ENDINGS)
_ENDING_LENGTHS = tuple(sorted({len(e) for e in _ENDINGS}, reverse=True))
# Bodies whose bare name is a name (`团委`, `办公室`); any other ending needs a head (`人民政府`
# alone is no body, `乡镇人民政府` is).
_STANDALONE = frozenset(
    "办公室 工会 总工会 工商联 团委 妇联 残联 科协 侨联 文联 社科联 人大 政协 红十字会 开发区".split()
)

# Places and collectives, and the level each belongs to: `各乡、镇` is one collective, `各乡镇、区…`
# is not (a township level, then a county one).
PLACE_LEVELS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("县级市", "辖市", "县市区", "县市", "县区", "市区", "市", "区", "县", "州"),
        frozenset({"county"}),
    ),
    **dict.fromkeys(("乡镇", "街道", "乡", "镇", "管理区"), frozenset({"township"})),
    **dict.fromkeys(("园区", "开发区", "功能区"), frozenset({"county", "township"})),
    **dict.fromkeys(("单位", "部门"), frozenset({"body"})),
}
PLACE = "|".join(sorted(PLACE_LEVELS, key=len, reverse=True))
PAREN = r"\([^()]*\)"
# 各 + places (and bracketed places) only: the head of a collective that a `、` may continue.
COLLECTIVE_HEAD = re.compile(
    rf"各(?:有关|相关)?(?:{PLACE})(?:{PAREN})?(?:、(?:{PLACE})(?:{PAREN})?)*"
)

# Notes in a unit list, not names: "以下均需各县市区落实", "不再逐一列出".
NOTE = re.compile(r"^(?:以下|以上|不再|下同|其中|注|备注|详见|见附件|[列排]第?[一首]位)")
# Column headers and labels: 牵头单位, 责任科室, 监考单位.
LABEL_WORD = re.compile(
    r"(?:牵头|责任|配合|参与|协办|主办|承办|主责|协作|协同|监考|考核|实施|负责|完成)"
    r"(?:单位|部门|科室|处室|领导|人)"
)
# Never in a unit name: digits, percent, 的, a sentence end, a reference (详见…).
NOT_A_NAME = re.compile(r"[0-9%的。:]|^(?:详见|见)")
_INCLUDING = re.compile(r"(?:不含|含|包括|除)(.+)")

# Roles and titles: 各区区长, 相关管委会主任, 分管领导, 责任人.
_ROLE = re.compile(
    r"(?:长|主任|书记|领导|负责人|责任人|联络员|联系人|主席|委员|专员|秘书|经理|干部|成员|同志)$"
)
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂鲁岳翟殷詹申欧耿兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍喻祁蒲房滕屈饶"
    "解牟艾尤阳穆卓古吉缪简麦褚娄窦戚岑景费卜冷晏席米柏宗瞿桂佟应臧闵苟邬卞姬仇栾隋刁沙荣"
    "巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺"
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 令狐 慕容 司徒 夏侯 端木 独孤 长孙 宇文".split()
)
# Characters no personal name is written with, but unit words are.
_NOT_IN_A_NAME = frozenset("市县区镇乡省局委办府司部门各的等务厅处室股队街")
HAN = re.compile(r"[\u3400-\u9fff]+")
_SPACES = re.compile(r"\s+")
_PERSON_SEPARATORS = re.compile(r"[、,;/\n]+")
_TRAILING_BRACKETS = re.compile(rf"(?:{PAREN})+$")


def simplified(text: str) -> str:
    return text.translate(_T2S)


def strip_spaces(text: str) -> str:
    return _SPACES.sub("", text)


def base_name(name: str) -> str:
    """The name without trailing brackets: 各县(市、区) → 各县, 区纪委(区监委) → 区纪委."""
    return _TRAILING_BRACKETS.sub("", name)


def organ_ending(s: str) -> str | None:
    """The organ ending of a simplified name, if it has a proper head before it."""
    if s in _ENDING_SET:
        return s if s in _STANDALONE else None  # 人民政府, 部门, 中心 alone are no body
    end = next((s[-k:] for k in _ENDING_LENGTHS if s[-k:] in _ENDING_SET), None)
    if end is None or len(end) > 1:
        return end
    # 局/委/区…: a body needs a head of two characters (发改委) or a level or 各 (市委, 各区);
    # 全部, 干部, 小区, 学科 are words, not bodies.
    head = s[:-1]
    return (
        end if len(head) >= 2 or head in ("省", "市", "区", "县", "州", "镇", "乡", "各") else None
    )


@lru_cache(maxsize=8192)
def is_unit_name(s: str) -> bool:
    """Whether one simplified, space-free name (no list) is a body."""
    if not s or len(s) > 30 or NOT_A_NAME.search(s) or LABEL_WORD.fullmatch(s):
        return False
    if is_role(s) or is_note(s):
        return False
    return COLLECTIVE_HEAD.fullmatch(s) is not None or organ_ending(base_name(s)) is not None


def is_note(s: str) -> bool:
    """以下均需…, 不再逐一列出, 含开发区: a note about units, not a unit."""
    including = _INCLUDING.match(s)
    return bool(NOTE.match(s)) or (including is not None and is_unit_name(including.group(1)))


def is_role(s: str) -> bool:
    return bool(_ROLE.search(s)) and HAN.fullmatch(s) is not None


def is_person(s: str) -> bool:
    """A personal name: 2–3 Han characters after a surname (3–4 after a compound one)."""
    if not HAN.fullmatch(s) or _NOT_IN_A_NAME.intersection(s):
        return False
    if s[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(s) <= 4
    return (
        s[0] in _SURNAMES and 2 <= len(s) <= 3 and s not in _ENDING_SET and organ_ending(s) is None
    )


def is_person_or_role(name: str) -> bool:
    """Whether a name is a person (朱先涛, `陈  忠`) or a role or title (各区区长, 市长,
    相关管委会主任, 分管领导, 责任人): never a unit. A cell listing only persons counts too."""
    text = simplified(unicodedata.normalize("NFKC", name)).strip("::。.,;、 \n")
    if not text:
        return False
    parts = [p for p in _PERSON_SEPARATORS.split(text) if p.strip()]
    return all(_part_is_person_or_role(p) for p in parts)


def _part_is_person_or_role(part: str) -> bool:
    s = strip_spaces(part)
    if is_role(s) or is_person(s):
        return True
    # "张炳炎 陈  忠": several persons on one line, or one with a space inside.
    words = part.split()
    return len(words) > 1 and all(is_person(w) or is_role(w) for w in _join_short(words))


def _join_short(words: list[str]) -> list[str]:
    """Join a one-character word to the next one (`陈  忠` → 陈忠)."""
    out: list[str] = []
    carry = ""
    for w in words:
        if len(carry + w) == 1:
            carry = w
            continue
        out.append(carry + w)
        carry = ""
    if carry:
        out.append(carry)
    return out
