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

# Whole lines that belong to the web page, not the plan. Anchored at the line start.
_FURNITURE = re.compile(
    r"^(?:"
    r"您(?:当前|现在)?的?(?:位置|所在位置)|当前位置|所在位置|首页\s*(?:>|»|>>|/)|>"
    r"|浏览次数|访问次数|阅读次数|点击(?:数|次数|量)|字号|【?字体|打印本页|关闭窗口|【?打印|【?关闭"
    r"|信息名称|索\s*引\s*号|法定主动公开分类|主题分类|公开方式|公开范围|公开时限|文件编号|发文字号"
    r"|发布机构|生成日期|公开日期|成文日期|废止日期|有效性|内容概述|分类|发布时间|发布日期|来源|作者"
    r"|扫一扫|分享到|相关(?:链接|文章|阅读|附件)|附件下载|上一篇|下一篇|返回顶部|网站地图|网站标识码"
    r"|主办单位|承办单位|主办:|承办:|详细地址|联系地址|地址:|邮政编码|邮编|联系电话|电话:|传真|技术支持"
    r"|版权所有|Copyright|©|\S*ICP备|\S*公网安备|Produced\s+By|建议使用|推荐使用|分辨率"
    r"|抄送|抄报|联系人|.{0,30}\d{4}年\d{1,2}月\d{1,2}日印发$"
    r")",
    re.IGNORECASE,
)
# Lines made of nothing but separators ("|", "||||").
_ONLY_MARKS = re.compile(r"^[|>»\-_=*·•\s]*$")
_TRAILING_PIPES = re.compile(r"\s*\|+\s*$")

_NOTICE_END = re.compile(
    r"印发(?:给)?你们|现(?:将|把).{0,40}印发|现予印发|请(?:认真)?(?:贯彻|遵照)执行"
)
_NOT_TITLE = re.compile(r"通知|印发|关于|。|^(?:[一二三四五六七八九十]+、|\(|\d+[.、])")
_PLAN_WORD = r"工作要点|工作计划|工作打算|工作安排|工作思路|重点工作|工作任务|任务清单|工作台账|督查台账|要点|计划|台账"
_TITLE = re.compile(rf"(?:{_PLAN_WORD})")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_LINE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_DOC_DATE_FIELD = re.compile(r"(?:生成日期|成文日期|发布日期|发布时间|公开日期)\s*:")


def normalize(text: str) -> str:
    """NFKC (full-width punctuation and digits to their plain forms), one kind of newline.

    Chinese quotes “” and 、。 survive NFKC; （）：，；１ become ():,;1 — the forms the rest of
    the importer expects.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFKC", text)
    # Zero-width spaces from scraped pages go; the joiner stays (it holds emoji together).
    text = re.sub(r"[\u200b\u2060\ufeff]", "", text)
    # NFKC maps the ideographic space to a space; non-breaking ones linger.
    return re.sub(r"[\u00a0 ]+", " ", text)


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


def extract_body(text: str) -> Body:
    """Strip furniture and the cover notice; find the title, the plan year, the document date."""
    raw_lines = [line.strip() for line in normalize(text).split("\n")]
    document_date = _document_date(raw_lines)
    lines = [_TRAILING_PIPES.sub("", line) for line in raw_lines if line]
    lines = [line for line in lines if line and not is_furniture(line)]

    notice_end = -1
    for i, line in enumerate(lines[: max(10, len(lines) // 2)]):
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
    year = (
        plan_year(title) or _year_from_body(body) or (document_date.year if document_date else None)
    )
    return Body(title=title, year=year, document_date=document_date, lines=body)


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
        if len(line) <= 60 and _TITLE.search(line) and not _NOT_TITLE.search(line):
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
