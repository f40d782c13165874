"""Plan text as scraped from web pages: normalise it, strip the page around it, find its title.

Government pages wrap the plan in furniture (breadcrumbs, 浏览次数, the 索引号 block, 扫一扫,
ICP and 主办单位 footers) and often put a cover notice (关于印发…的通知 … 印发给你们) before
the plan itself. What is left after this module is the plan body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from plans.numerals import cn_to_number

# Whole lines that belong to the web page, not the plan. Anchored at the line start.
_FURNITURE = re.compile(
    r"^(?:[•·]\s*)?(?:"
    r"您(?:当前|现在)?的?(?:位置|所在位置)|当前位置|所在位置|首页\s*(?:>|»|>>|/)|>|欢迎来到|繁体\s*\|"
    r"|浏览次数|访问次数|阅读次数|浏览量|点击(?:数|次数|量)|字号|【?字体|打印本页|关闭窗口|【?打印|【?关闭"
    r"|信息名称|索\s*引\s*号|法定主动公开分类|主题分类|公开方式|公开范围|公开时限|文件编号|发文字号"
    r"|发布机构|发布单位|生成日期|公开日期|成文日期|发文日期|废止日期|有效性|内容概述|分类|发布时间"
    r"|发布日期|信息来源|来源|作者|听全文|!\[[^\]]*\]\("
    r"|扫一扫|分享到|相关(?:链接|文章|阅读|附件|内容)$|附件下载|上一篇|下一篇|返回顶部|网站地图|网站标识码"
    r"|主办单位|承办单位|主办:|承办:|详细地址|联系地址|地址:|邮政编码|邮编|联系电话|电话:|传真|技术支持"
    r"|版权所有|Copyright|©|\S*ICP备|\S*公网安备|Produced\s+By|建议使用|推荐使用|分辨率"
    r"|抄送|抄报|联系人|.{0,30}\d{4}年\d{1,2}月\d{1,2}日印发$|\(此件.{0,12}\)$"
    r")",
    re.IGNORECASE,
)
# Lines made of nothing but separators ("|", "||||").
_ONLY_MARKS = re.compile(r"^[|>»\-_=*·•\s]*$")
_TRAILING_PIPES = re.compile(r"\s*\|+\s*$")

_NOTICE_END = re.compile(
    r"印发(?:给)?你们|现(?:将|把).{0,40}印发|现予印发|请(?:认真)?(?:贯彻|遵照)执行|下达你们"
)
_NOT_TITLE = re.compile(r"通知|印发|关于|。|,|^(?:[一二三四五六七八九十]+、|\(|\d+[.、])|^附件")
_PLAN_WORD = (
    r"工作要点|工作计划|工作打算|工作安排|工作思路|重点工作|工作任务|任务清单|工作台账|督查台账"
    r"|要点|计划|台账|任务分解|分解表|分解方案|分工方案|责任分解|工作事项|实事|清单|登记表|纲要"
)
_TITLE = re.compile(rf"(?:{_PLAN_WORD})")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*远景)")
_DATE_LINE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DOC_DATE_FIELD = re.compile(r"(?:生成日期|成文日期|发文日期|发布日期|发布时间|公开日期)\s*[:|]")
# 文号: "长府办发〔2012〕19号", "甬政办发[2006]64号".
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[(【]((?:19|20)\d{2})[〕\])】]\s*\d{1,4}\s*号")
# A five-year plan named in the title: 第十二个五年规划, “十四五”规划.
_FIVE_YEAR = re.compile(
    r"第([一二三四五六七八九十]{1,3})个五年|[“\"]?十([一二三四五六七八九])五[”\"]?(?:规划|时期)"
)
# The attachment that is the plan ("附件1" alone on a line) and the list of attachments in a notice.
_ATTACHMENT_HEADING = re.compile(r"^附\s*件\s*\d{0,2}\s*\|?$")
_ATTACHMENT_LIST = re.compile(r"^附\s*件\s*[:]")
# Reading aids that mirrors inject after characters: 會(huì), 實(shí).
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)"
)
# Characters that only Traditional text has; a plan with a few of them in a hundred is Traditional.
_TRADITIONAL = re.compile(
    "[們這個會實區縣經發對從時為與進過還項網興農業舉國開關學萬戶畝億噸條場臺職責單門應設計劃環衛產數據點級廣東機構當選務動報"
    "屆議專導統現將問題稅總資辦園區鎮鄉長陳劉張]"
)


def normalize(text: str) -> str:
    """NFKC (full-width punctuation and digits to their plain forms), one kind of newline.

    Chinese quotes “” and 、。 survive NFKC; （）：，；１ become ():,;1 — the forms the rest of
    the importer expects.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFKC", text)
    # Zero-width spaces from scraped pages go; the joiner stays (it holds emoji together).
    text = re.sub(r"[\u200b\u2060\ufeff]", "", text)
    # NFKC maps the ideographic space to a space; other wide spaces linger (runs of spaces
    # stay: they separate the cells of a table flattened to one line)
    text = re.sub(r"[\u00a0\u2002-\u200a\u202f\u3000]", " ", text)
    text = _PINYIN.sub("", text)
    return to_simplified(text)


def to_simplified(text: str) -> str:
    """A plan republished in Traditional characters is read in Simplified, as it was written.

    Only text with Traditional-only characters in it is converted (at least one in two hundred
    Han characters, or any in a short cell): Simplified text is returned as it is, and fast.
    """
    hits = len(_TRADITIONAL.findall(text))
    if not hits or (len(text) > 200 and hits * 200 < len(text)):
        return text
    import zhconv  # here: 0.1 s to import (it loads pkg_resources), for documents and replies

    return str(zhconv.convert(text, "zh-cn"))


def is_furniture(line: str) -> bool:
    """Whether a line is web-page furniture rather than plan text."""
    return bool(_FURNITURE.match(line) or _ONLY_MARKS.match(line))


@dataclass(frozen=True)
class Body:
    """The plan body with what was learnt on the way: title, plan year, document date."""

    title: str
    year: int | None
    document_date: date | None
    lines: list[str]
    year_source: str = ""  # "" (title or text), "document date", "document number"
    horizon: int | None = None  # the last year of a multi-year plan (a 五年规划)
    skipped: tuple[str, ...] = ()  # what was read but is not the plan (an attachment list)


def extract_body(text: str) -> Body:
    """Strip furniture and the cover notice; find the title, the plan year, the document date."""
    raw_lines = [line.strip() for line in normalize(text).split("\n")]
    document_date = _document_date(raw_lines)
    lines = [_TRAILING_PIPES.sub("", line) for line in raw_lines if line]
    lines = [line for line in lines if line and not is_furniture(line)]
    lines, skipped = _skip_attachment_list(lines)
    head = lines[:40]

    # The plan is often an attachment of its notice: it starts at "附件1" on a line of its own.
    start = next((i + 1 for i, line in enumerate(lines) if _ATTACHMENT_HEADING.match(line)), 0)
    notice_end = start - 1
    for i, line in enumerate(lines[start : max(start + 10, len(lines) // 2)], start=start):
        if _NOTICE_END.search(line):
            notice_end = i
    title_at = _find_title(lines, notice_end + 1)
    if title_at is None:
        title = _title_from_notice(lines[: notice_end + 1]) or ""
        body = lines[notice_end + 1 :]
    else:
        title = lines[title_at]
        body = lines[title_at + 1 :]
    body = _drop_tail(body)
    number_year = _document_number_year(head)
    named = [m.group(1) for line in head for m in re.finditer(r"《([^》]{4,80})》", line)]
    horizon = _five_year_plan([title, *named, *(line for line in head if "通知" in line)])
    year: int | None
    source = ""
    if horizon is not None:
        first = horizon - 4
        issued = document_date.year if document_date else number_year
        year = min(max(issued or first, first), horizon)
        source = "five-year plan"
    else:
        year = plan_year(title) or _year_from_body(body)
    if year is None and document_date is not None:
        year, source = document_date.year, "document date"
    if year is None and number_year is not None:
        year, source = number_year, "document number"
    return Body(
        title=title,
        year=year,
        document_date=document_date,
        lines=body,
        year_source=source,
        horizon=horizon,
        skipped=tuple(skipped),
    )


def _skip_attachment_list(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop a notice's list of attachments ("附件:1.…", "2.…"): it names documents, not work."""
    out: list[str] = []
    skipped: list[str] = []
    in_list = False
    for line in lines:
        if _ATTACHMENT_LIST.match(line):
            in_list = True
            skipped.append(line)
            continue
        if in_list and re.match(r"^\d{1,2}\s*[.、]\s*\S", line) and len(line) <= 60:
            skipped.append(line)
            continue
        in_list = False
        out.append(line)
    return out, skipped


def _document_number_year(lines: list[str]) -> int | None:
    """The year in the document's number (文号): 长府办发〔2012〕19号 → 2012."""
    for line in lines:
        m = _DOC_NUMBER.search(line)
        if m:
            return int(m.group(1))
    return None


def _five_year_plan(lines: list[str]) -> int | None:
    """The last year of a five-year plan its title names (or its notice, or a 《》 in them):
    第十二个五年规划 → 2015. A plan that only mentions one ("十四五"规划的关键之年) is not one."""
    for line in lines:
        m = _FIVE_YEAR.search(line)
        if m is None or not re.search(r"规划|纲要|时期", line[m.start() :]):
            continue
        ordinal = cn_to_number(m.group(1) or "十" + m.group(2))
        if ordinal is None or ordinal < 3:
            continue
        # From the third plan (1966–1970) on, the plans run in unbroken five-year steps.
        return 1966 + 5 * (int(ordinal) - 3) + 4
    return None


def _drop_tail(lines: list[str]) -> list[str]:
    """Cut what follows the plan: attachments (附件…) and the signature with its date."""
    for i, line in enumerate(lines):
        if i > 0 and re.match(r"^附(?:件|表)\s*\d*\s*(?::|$)", line):
            lines = lines[:i]
            break
    end = len(lines)
    if end and _DATE_LINE.fullmatch(lines[end - 1]) and len(lines[end - 1]) <= 14:
        end -= 1
        # the issuer's name right above the date: short, no sentence punctuation
        while end and len(lines[end - 1]) <= 30 and not re.search(r"[。;,:]", lines[end - 1]):
            end -= 1
    return lines[:end]


def _find_title(lines: list[str], start: int) -> int | None:
    """Index of the plan's title: the first short line naming a plan (…工作要点) after the notice."""
    for i in range(start, min(len(lines), start + 40)):
        line = lines[i]
        if (
            6 <= len(line) <= 60
            and "|" not in line
            and _TITLE.search(line)
            and not _NOT_TITLE.search(line)
        ):
            return i
        if re.match(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])", line):
            break  # the plan has started: there is no title line
    return None


def _title_from_notice(lines: list[str]) -> str | None:
    """A cover notice names its plan in 《》: "关于印发《市科技局党组2023年工作要点》的通知"."""
    for line in lines:
        m = re.search(r"《([^》]{4,60})》", line)
        if m and _TITLE.search(m.group(1)):
            return m.group(1)
    return None


def plan_year(title: str) -> int | None:
    """The year a title plans for: "2024年工作总结和2025年工作计划" plans 2025, not 2024."""
    years = list(_YEAR.finditer(title))
    if not years:
        return None
    planned = [
        m
        for k, m in enumerate(years)
        if re.search(
            _PLAN_WORD, title[m.end() : years[k + 1].start() if k + 1 < len(years) else None]
        )
    ]
    chosen = planned[-1] if planned else years[-1]
    return int(chosen.group(1))


def _year_from_body(lines: list[str]) -> int | None:
    """The most named year of the first lines ("2023年是…的开局之年"), for a title without one."""
    counts: dict[int, int] = {}
    for line in lines[:20]:
        for m in _YEAR.finditer(line):
            if re.search(
                r"(?:到|至|比|较|截至|截止|同比)$", line[max(0, m.start() - 2) : m.start()]
            ):
                continue  # "到2020年" is a horizon, "比2015年" a baseline: not the plan's year
            y = int(m.group(1))
            counts[y] = counts.get(y, 0) + 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def _document_date(lines: list[str]) -> date | None:
    """The date the document was issued: a 生成日期/发布日期 field or a signature date line."""
    for line in lines:
        if _DOC_DATE_FIELD.search(line) or (_DATE_LINE.fullmatch(line) and len(line) <= 14):
            m = _DATE_LINE.search(line)
            if m:
                try:
                    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    continue
    return None
