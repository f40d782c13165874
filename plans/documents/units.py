"""Responsible units (责任单位): reading unit lists the way a careful clerk does.

A plan names its units tersely, and a clerk reads them by these rules (`split_units`):

1. A name is split only where a list separator stands between whole names: `、` `,` `;` `/`,
   spaces and line breaks, never inside brackets (`各县(市、区)`, `市财政(地税)局`).
2. `各` + places of one level + `、` + places of that level is ONE collective body:
   `各乡、镇人民政府`, `各辖市、区科技局`, `各县、市、区人民政府`, `各区、县级市`.
3. `和` / `及` / `以及` / `与` join two units only when both sides are whole unit names
   (`市科技局和市财政局`); otherwise they are part of the name (`市住房和城乡建设局`,
   `各县(市、区)党委和人民政府`, `高新区党工委和管委会`).
4. Two names written without a separator are split where a place prefix (市/区/县/省/州)
   starts again right after an organ ending: `区发改局区统计局` → 区发改局, 区统计局
   (`市政府办公室`, `市科技局高新处`, `市委市政府督查室` stay whole).
5. An ending written once after `、` is shared: a short bare name that is no unit on its own
   takes the next unit's organ ending (`人民大垸、荒湖管理区` → 人民大垸管理区, 荒湖管理区), and
   a bare place takes the next place's body (`金华开发区、金义都市新区管委会` → 金华开发区管委会,
   金义都市新区管委会). A unit (`市科技局、财政局`) or a collective (`各乡、镇…`) takes nothing.
6. Tails and fillers are not names: `…等`, `等部门`, `等单位`, `按职责分工(分别)负责`,
   `负责`, `牵头`, `配合`, `共同推进`, a label before `:`, a note in brackets
   (`(列第一位者为牵头单位,下同)`), a note such as `以下均需…`.
7. Persons and roles (`朱先涛`, `陈  忠`, `各区区长`, `相关管委会主任`, `责任领导`) are not
   units: they are dropped.
8. A place prefix written once covers the list: `市发改委、国土房管局、规划局` → 市发改委,
   市国土房管局, 市规划局. Only bare department names (…局/委/办/厅/中心…) take it; a
   collective (`各科室`), a place body (`锦城街道`, `黄埔区政府`), an enterprise (`城投集团`)
   or an office (`办公室`) does not. When the list mostly writes the prefix out in full, a bare
   name is a name of its own (`宁波电业局` among `市公安局、市财政局…`). (`carry_prefix`)
9. An office abbreviated after a bureau's office takes the bureau: `局创新处、高新处` →
   局创新处, 局高新处 (`expand_siblings`).

Traditional characters are read like Simplified ones (`縣政府`, `各鄉鎮`), and the names
are returned as written. `looks_like_unit` and `is_person_or_role` say what a single name is,
by how it ends. Later commands find units by any of their aliases (`高新处` ↔ `局高新处`), so
the alias rule lives here too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ---------------------------------------------------------------------------- vocabulary

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
# Departments of a government level: the bare names a place prefix written once is carried to.
_DEPARTMENT = re.compile(
    r"(?:局|委|办|厅|署|委员会|中心|工会|工商联|团委|妇联|残联|科协|侨联|文联)$"
)

# Places and collectives, and the level each belongs to: `各乡、镇` is one collective, `各乡镇、区…`
# is not (a township level, then a county one).
_PLACE_LEVELS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("县级市", "辖市", "县市区", "县市", "县区", "市区", "市", "区", "县", "州"),
        frozenset({"county"}),
    ),
    **dict.fromkeys(("乡镇", "街道", "乡", "镇", "管理区"), frozenset({"township"})),
    **dict.fromkeys(("园区", "开发区", "功能区"), frozenset({"county", "township"})),
    **dict.fromkeys(("单位", "部门"), frozenset({"body"})),
}
_PLACE = "|".join(sorted(_PLACE_LEVELS, key=len, reverse=True))
_PAREN = r"\([^()]*\)"
# 各 + places (and bracketed places) only: the head of a collective that a `、` may continue.
_COLLECTIVE_HEAD = re.compile(
    rf"各(?:有关|相关)?(?:{_PLACE})(?:{_PAREN})?(?:、(?:{_PLACE})(?:{_PAREN})?)*"
)
_PLACE_START = re.compile(rf"(?:{_PLACE})")
_PLACE_WORD = re.compile(_PLACE)

# A level prefix: 市发改委, 区财政局. Not the first character of a word (市场, 市政公用局, 区域).
_LEVEL_PREFIX = re.compile(r"[省市区县州](?!场|民|域|级|直|政(?!府))")
# A place named inside a name (黄埔区政府, 常州经开区科技金融局, 锦城街道办): such a name belongs
# to that place, not to the level of the list.
_INNER_PLACE = re.compile(r"街道|社区|(?<!城)[镇乡]|(?<![城都])市(?![场政民])|区(?!域)|县(?!域)")

# Where two names are glued: an organ ending, then a level prefix starting the next name.
_GLUE = re.compile(r"(?<=[局委办厅府会心院部处室站所队])(?=[省市区县州](?![场民域级直]|政(?!府)))")
# A place and its body (高新区 + 党工委和管委会, 天目山镇 + 人民政府), and a bare place name
# (金华开发区, 昌化镇) that may share that body: 金华开发区、金义都市新区管委会.
_PLACE_BODY_WORD = r"(?:党工委|党委|管委会|人民政府|政府|办事处)"
_PLACE_BODY = re.compile(
    rf"(.{{2,}}?(?:区|县|市|镇|乡|街道))({_PLACE_BODY_WORD}(?:和{_PLACE_BODY_WORD})?)"
)
_BARE_PLACE = re.compile(r".{2,}(?:区|县|市|镇|乡|街道)")
_CONJUNCTION = re.compile(r"以及|及|和|与")

_LIST_SEPARATORS = frozenset("、,;/|。\n\t ")
_OPEN, _CLOSE = "([{【〔", ")]}】〕"

# Tails and fillers after the last name of a list.
_TAIL = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?"
    r"|(?:按|依|根据)?照?(?:各自)?职[责能](?:分工)?(?:分别|各自|共同)?(?:负责|落实|承担)?"
    r"|(?:分别|共同|具体|各自|协同|配合)?(?:负责|牵头|配合|协助|参与|推进|落实|实施|承办|协办|主办))$"
)
_HEAD_FILLER = re.compile(r"^(?:由|请|并由|另由)(?=[省市区县州各局])")
# Notes in a unit list, not names: "以下均需各县市区落实", "不再逐一列出".
_NOTE = re.compile(r"^(?:以下|以上|不再|下同|其中|注|备注|详见|见附件|[列排]第?[一首]位)")
# Column headers and labels: 牵头单位, 责任科室, 监考单位.
_LABEL_WORD = re.compile(
    r"(?:牵头|责任|配合|参与|协办|主办|承办|主责|协作|协同|监考|考核|实施|负责|完成)"
    r"(?:单位|部门|科室|处室|领导|人)"
)
# Never in a unit name: digits, percent, 的, a sentence end, a reference (详见…).
_NOT_A_NAME = re.compile(r"[0-9%的。:]|^(?:详见|见)")
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
_HAN = re.compile(r"[\u3400-\u9fff]+")
_HAN_LIST = re.compile(r"[\u3400-\u9fff、]+")
_SPACES = re.compile(r"\s+")
_PERSON_SEPARATORS = re.compile(r"[、,;/\n]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_PAREN_RE = re.compile(_PAREN)
_TRAILING_BRACKETS = re.compile(rf"(?:{_PAREN})+$")


def _simplified(text: str) -> str:
    return text.translate(_T2S)


def _strip_spaces(text: str) -> str:
    return _SPACES.sub("", text)


# ---------------------------------------------------------------------------- what a name is


def _base(name: str) -> str:
    """The name without trailing brackets: 各县(市、区) → 各县, 区纪委(区监委) → 区纪委."""
    return _TRAILING_BRACKETS.sub("", name)


def _ending(s: str) -> str | None:
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
def _is_unit_name(s: str) -> bool:
    """Whether one simplified, space-free name (no list) is a body."""
    if not s or len(s) > 30 or _NOT_A_NAME.search(s) or _LABEL_WORD.fullmatch(s):
        return False
    if _is_role(s) or _is_note(s):
        return False
    return _COLLECTIVE_HEAD.fullmatch(s) is not None or _ending(_base(s)) is not None


def _is_note(s: str) -> bool:
    """以下均需…, 不再逐一列出, 含开发区: a note about units, not a unit."""
    including = _INCLUDING.match(s)
    return bool(_NOTE.match(s)) or (including is not None and _is_unit_name(including.group(1)))


def _is_role(s: str) -> bool:
    return bool(_ROLE.search(s)) and _HAN.fullmatch(s) is not None


def _is_person(s: str) -> bool:
    """A personal name: 2–3 Han characters after a surname (3–4 after a compound one)."""
    if not _HAN.fullmatch(s) or _NOT_IN_A_NAME.intersection(s):
        return False
    if s[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(s) <= 4
    return s[0] in _SURNAMES and 2 <= len(s) <= 3 and s not in _ENDING_SET and _ending(s) is None


def looks_like_unit(name: str) -> bool:
    """Whether a name is a body (organ), by how it ends: …局/委/办/中心/政府/管委会/街道/镇…,
    or a collective (各县(市、区), 各乡镇, 各有关部门). Persons and roles are never units.

    A list (`市发改委、市财政局`) is a unit when every name split_units reads from it is one.
    """
    s = _simplified(_strip_spaces(unicodedata.normalize("NFKC", name)))
    s = _unwrap(s.strip("::。.,;、 "))
    if _COLLECTIVE_HEAD.match(s) or len(_pieces(s)) < 2:
        return _is_unit_name(s)
    names = split_units(name)
    return bool(names) and all(_is_unit_name(_simplified(n)) for n in names)


def is_person_or_role(name: str) -> bool:
    """Whether a name is a person (朱先涛, `陈  忠`) or a role or title (各区区长, 市长,
    相关管委会主任, 分管领导, 责任人): never a unit. A cell listing only persons counts too."""
    text = _simplified(unicodedata.normalize("NFKC", name)).strip("::。.,;、 \n")
    if not text:
        return False
    parts = [p for p in _PERSON_SEPARATORS.split(text) if p.strip()]
    return all(_part_is_person_or_role(p) for p in parts)


def _part_is_person_or_role(part: str) -> bool:
    s = _strip_spaces(part)
    if _is_role(s) or _is_person(s):
        return True
    # "张炳炎 陈  忠": several persons on one line, or one with a space inside.
    words = part.split()
    return len(words) > 1 and all(_is_person(w) or _is_role(w) for w in _join_short(words))


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


# ---------------------------------------------------------------------------- splitting


def clean_unit_name(name: str) -> str:
    """Normalise a unit name: NFKC, no spaces, no outer punctuation or 等; brackets that belong
    to the name stay (各县(市、区), 市财政(地税)局)."""
    name = _strip_spaces(unicodedata.normalize("NFKC", name))
    prev = None
    while prev != name:
        prev = name
        name = _unwrap(name.strip("::。.,;、[]【】"))
        if name.startswith("(") and _unbalanced(name, "(", ")"):
            name = name[1:]
        if name.endswith(")") and _unbalanced(name, ")", "("):
            name = name[:-1]
    if name.endswith("等") and len(name) > 3:
        name = name[:-1]
    return name


def _unbalanced(name: str, char: str, other: str) -> bool:
    return name.count(char) > name.count(other)


def _unwrap(s: str) -> str:
    """`(市发改委)` → 市发改委: brackets around the whole text, not a part of it."""
    while len(s) >= 2 and s[0] in _OPEN and s[-1] in _CLOSE:
        depth = 0
        for i, ch in enumerate(s):
            depth += 1 if ch in _OPEN else -1 if ch in _CLOSE else 0
            if depth == 0 and i < len(s) - 1:
                return s  # the first bracket closes before the end: "(a)b(c)"
        s = s[1:-1]
    return s


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator before, piece) for each piece between list separators outside brackets."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    sep, depth = "", 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in _LIST_SEPARATORS:
            if buf:
                out.append((sep, "".join(buf)))
                buf, sep = [], ch
            elif not ch.isspace():
                sep = ch  # "A 、B": the visible separator counts
            continue
        buf.append(ch)
    if buf:
        out.append((sep, "".join(buf)))
    return out


def _join_broken(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rejoin a name a space broke (`市水利 局`, `陈  忠`): a fragment that is no unit and no
    person joins the next one when together they make one."""
    out: list[tuple[str, str]] = []
    for sep, piece in pieces:
        if out and sep.isspace():
            prev_sep, prev = out[-1]
            p, joined = _simplified(prev), _simplified(prev + piece)
            broken = not (_is_unit_name(p) or _is_person(p) or _is_role(p)) and (
                len(p) == 1 or _is_unit_name(joined) or _is_person(joined)
            )
            # "各乡 镇人民政府": a collective goes on after the space
            if broken or _continues_collective_head(p, _simplified(piece)):
                out[-1] = (prev_sep, prev + piece)
                continue
        out.append((sep, piece))
    return out


def _join_collectives(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`各乡` `、` `镇人民政府` → 各乡、镇人民政府: places of one level after 各 are one body."""
    out: list[tuple[str, str]] = []
    for sep, piece in pieces:
        if out and sep == "、":
            prev_sep, prev = out[-1]
            if _continues_collective_head(_simplified(prev), _simplified(piece)):
                out[-1] = (prev_sep, f"{prev}、{piece}")
                continue
        out.append((sep, piece))
    return out


def _continues_collective_head(head: str, piece: str) -> bool:
    """Whether `head` is 各 + places and `piece` goes on with places of the same level."""
    if not _COLLECTIVE_HEAD.fullmatch(head):
        return False
    m = _PLACE_START.match(piece)
    if not m:
        return False
    rest = piece[m.end() :]
    if rest.startswith(("直", "级", "属")) or "各" in rest:
        return False  # 各区、市直各部门: two bodies
    last = _PLACE_WORD.findall(_PAREN_RE.sub("", head))[-1]
    return bool(_PLACE_LEVELS[last] & _PLACE_LEVELS[m.group(0)])


def _masked(s: str) -> str:
    """The text with bracketed parts blanked, so that rules see only the outer name."""
    out: list[str] = []
    depth = 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        out.append("□" if depth else ch)
        if ch in _CLOSE:
            depth = max(depth - 1, 0)
    return "".join(out)


def _drop_notes_in_brackets(piece: str) -> str:
    """Keep brackets that are part of a name (市、区 / 地税 / 区监委), drop notes and fillers."""

    def keep(m: re.Match[str]) -> str:
        inner = _simplified(m.group(1))
        if (
            len(inner) <= 10
            and _HAN_LIST.fullmatch(inner)
            and not _TAIL.fullmatch(inner)
            and not _NOTE.match(inner)
            and not _NOT_A_NAME.search(inner)
        ):
            return m.group(0)
        return ""

    return _BRACKETED.sub(keep, piece)


def _strip_fillers(name: str) -> str:
    name = _HEAD_FILLER.sub("", name)
    while True:
        m = _TAIL.search(_simplified(name))
        if not m or m.start() == m.end():
            return name
        name = name[: m.start()]


def _split_glued(name: str) -> list[str]:
    """区发改局区统计局 → 区发改局, 区统计局."""
    s = _masked(_simplified(name))
    for m in _GLUE.finditer(s):
        left, right = name[: m.start()], name[m.start() :]
        if (
            len(left) >= 3
            and _is_unit_name(_simplified(left))
            and _is_unit_name(_simplified(right))
        ):
            return [left, *_split_glued(right)]
    return [name]


def _split_conjunctions(name: str) -> list[str]:
    """市科技局和市财政局 → two; 市住房和城乡建设局, 党委和人民政府 → one: both sides must be
    units with a name of their own, and a bare ending (人民政府, 管委会) is none."""
    s = _masked(_simplified(name))
    for m in _CONJUNCTION.finditer(s):
        left, right = name[: m.start()], name[m.end() :]
        if _is_unit_name(_simplified(left)) and _is_unit_name(_simplified(right)):
            return [left, *_split_conjunctions(right)]
    return [name]


def _names_in(piece: str) -> list[str]:
    """The names one piece between separators holds, tails and notes removed."""
    piece = _strip_spaces(piece)
    top_colon = _masked(piece).rfind(":")
    if top_colon >= 0:
        piece = piece[top_colon + 1 :]  # "牵头单位:市发改委"
    piece = _drop_notes_in_brackets(_unwrap(piece))
    if _is_note(_simplified(piece)):
        return []
    piece = _strip_fillers(piece)
    names: list[str] = []
    for glued in _split_glued(piece):
        names.extend(_strip_fillers(n) for n in _split_conjunctions(glued))
    return [n for n in names if n]


def _share_endings(named: list[tuple[str, str]]) -> list[str]:
    """人民大垸、荒湖管理区 → 人民大垸管理区, 荒湖管理区; 金华开发区、金义都市新区管委会 →
    金华开发区管委会, 金义都市新区管委会. Right to left, so that a run of bare names all take
    the ending of the name that closes it."""
    names = [n for _, n in named]
    for i in range(len(names) - 2, -1, -1):
        if named[i + 1][0] == "、":
            names[i] += _shared_ending(names[i], names[i + 1])
    return names


def _shared_ending(first: str, second: str) -> str:
    """What `first` takes from `second` when `first、second` writes a common ending once: the
    organ ending, for a bare name that is no unit; the body of a place (管委会, 人民政府,
    党工委和管委会), for a bare place name."""
    bare, unit = _simplified(first), _simplified(second)
    if not _HAN.fullmatch(bare) or bare.startswith("各") or len(bare) > 12:
        return ""
    body = _PLACE_BODY.fullmatch(unit)
    if body and _BARE_PLACE.fullmatch(bare):
        return second[body.start(2) :]
    end = _ending(unit)
    if (
        end
        and len(unit) > len(end)
        and len(bare) <= 6
        and not _is_unit_name(bare)
        and not _is_person(bare)
        and not _is_role(bare)
        and (len(bare) == 1 or not _LEVEL_PREFIX.match(unit))
    ):
        return second[-len(end) :]
    return ""


def _has_level_prefix(name: str) -> bool:
    return bool(_LEVEL_PREFIX.match(_simplified(name)))


def _takes_prefix(name: str) -> bool:
    """A bare department name a level prefix written once is carried to."""
    s = _simplified(name)
    return (
        not s.startswith(("各", "局"))
        and not _has_level_prefix(s)
        and _DEPARTMENT.search(_base(s)) is not None
        and _is_unit_name(s)
        and not _INNER_PLACE.search(s, 2)
    )


def carry_prefix(names: list[str]) -> list[str]:
    """市发改委、国土房管局 → 市发改委, 市国土房管局; one name out per name in.

    The prefix is the level (市/区/县/省/州) of the last name that writes one. A list that writes
    the prefix out on most of its later names is taken as written (宁波电业局 stays bare).
    """
    first = next((i for i, n in enumerate(names) if _has_level_prefix(n)), None)
    if first is None:
        return list(names)
    later = names[first + 1 :]
    written = sum(1 for n in later if _has_level_prefix(n))
    bare = sum(1 for n in later if _takes_prefix(n))
    if written > bare:
        return list(names)
    out: list[str] = []
    prefix = ""
    for name in names:
        if _has_level_prefix(name):
            prefix = name[0]
        elif prefix and _takes_prefix(name):
            name = prefix + name
        out.append(name)
    return out


def split_units(text: str) -> list[str]:
    """Split a unit list into whole, expanded names, as the module docstring's rules say.

    "市发改委、国土房管局" → 市发改委, 市国土房管局; "各乡、镇人民政府,人民大垸、荒湖管理区" →
    各乡、镇人民政府, 人民大垸管理区, 荒湖管理区; persons and roles are left out.
    """
    return list(_split_units(text))


@lru_cache(maxsize=4096)
def _split_units(text: str) -> tuple[str, ...]:
    text = _unwrap(unicodedata.normalize("NFKC", text).strip())
    pieces = _join_collectives(_join_broken(_pieces(text)))
    named: list[tuple[str, str]] = []
    for sep, piece in pieces:
        for k, name in enumerate(_names_in(piece)):
            named.append((sep if k == 0 else "+", name))
    names = [clean_unit_name(n) for n in _share_endings(named)]
    names = [
        n
        for n in names
        if len(n) >= 2 and not is_person_or_role(n) and not _LABEL_WORD.fullmatch(_simplified(n))
    ]
    # keep order, drop duplicates (also those the expansion creates: "局高新处、高新处")
    return tuple(dict.fromkeys(expand_siblings(carry_prefix(names))))


# ---------------------------------------------------------------------------- offices, aliases

# Suffixes that mark an office inside a bureau: an abbreviated sibling ("高新处" after "局创新处")
# inherits the prefix of the first name in the list.
_OFFICE_SUFFIX = ("处", "科", "室", "办", "中心", "委", "队", "所", "站")
_BUREAU_PREFIX = re.compile(r"^(.*?局)(?=[^局]+$)")


def expand_siblings(names: list[str]) -> list[str]:
    """Give abbreviated offices the bureau prefix of the list's first office; one name out per
    name in.

    "局创新处, 高新处" → "局创新处, 局高新处"; "市科技局高新处, 农社处" → "市科技局高新处, 市科技局农社处".
    A name that already carries a prefix, or a list whose first name has none, is left alone.
    """
    prefix = ""
    out: list[str] = []
    for name in names:
        m = _BUREAU_PREFIX.match(name)
        if m and name.endswith(_OFFICE_SUFFIX) and not prefix:
            prefix = m.group(1)
            out.append(name)
            continue
        if (
            prefix
            and name.endswith(_OFFICE_SUFFIX)
            and not name.startswith(("局", "市", "省", "区", "县", "各"))
            and "局" not in name
            and len(name) <= 8
        ):
            out.append(prefix + name)
        else:
            out.append(name)
    return out


def unit_key(name: str) -> str:
    """The key two spellings of one unit share: NFKC, no spaces or brackets."""
    return re.sub(r"[\s()()]", "", unicodedata.normalize("NFKC", name))


def aliases_for(name: str) -> list[str]:
    """Other spellings that refer to the same unit, for the unit directory.

    "局高新处" ↔ "高新处" ↔ "市科技局高新处"; "局机关党委" ↔ "机关党委".
    The name itself is not included.
    """
    key = unit_key(name)
    out: list[str] = []
    m = re.match(r"^(?:[\u4e00-\u9fff]{0,4}?科技局|局)(.{2,})$", key)
    if m:
        bare = m.group(1)
        out.extend([bare, "局" + bare])
    return [a for a in dict.fromkeys(out) if a != key]
