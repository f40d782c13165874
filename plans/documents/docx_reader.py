"""Reading a .docx: the paragraphs as Word shows them (automatic numbers put back, soft line
breaks kept) and the tables' cell texts, handed to the parser as text or as table rows.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from plans.documents.docx_numbering import Numbering
from plans.documents.parser import PlanFormatError, find_header, parse_rows, parse_text
from plans.model import Plan


def parse_docx(data: bytes, stem: str, year: int | None) -> Plan:
    """The plan in a .docx (already checked by archives.safe_package): its first plan table,
    else its paragraphs as text. `stem` is the file name without extension: the source name,
    and the title when a table has none above it."""
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise PlanFormatError(f"the .docx cannot be opened ({e.__class__.__name__})") from None
    except Exception as e:  # lxml errors on broken XML have no common base we can import cheaply
        if "depth" in str(e).lower():
            raise PlanFormatError(
                "the .docx is nested too deeply to read (tables inside tables hundreds deep)"
            ) from None
        raise PlanFormatError(f"the .docx is damaged ({e.__class__.__name__})") from None

    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    numbering = Numbering(document)
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _paragraph_text(child)
            # Word's automatic numbers are not in the text: put them back as they are shown
            paragraphs.append(numbering.label(child) + text if text.strip() else text)
        elif tag == "tbl":
            tables.append(_docx_table(child))
    for table in tables:
        if find_header(table) is not None:
            text_title = _title_from_paragraphs(paragraphs)
            return parse_rows(table, title=text_title or stem, year=year)
    if not any(p.strip() for p in paragraphs):
        raise PlanFormatError("the .docx has no text")
    return parse_text("\n".join(paragraphs), source_name=stem, year=year)


def _paragraph_text(p: Any) -> str:
    """A Word paragraph's text; a soft line break (Shift+Enter) is a new line, as it looks."""
    parts: list[str] = []
    for node in p.iter():
        tag = node.tag.rsplit("}", 1)[-1] if isinstance(node.tag, str) else ""
        if tag == "t":
            parts.append(node.text or "")
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "tab":
            parts.append("\t")
    return "".join(parts)


def _docx_table(tbl: Any) -> list[list[str]]:
    """Cell texts of a Word table, row by row, one per grid column. A cell merged across columns
    (gridSpan) keeps its text in its first column, the others empty, so the columns stay in line
    with the header's; a cell merged down (vMerge) belongs to each row it covers, as in Excel."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren():
        if not isinstance(tr.tag, str) or not tr.tag.endswith("}tr"):
            continue
        row: list[str] = [""] * _w_int(tr, "trPr", "gridBefore")
        for tc in tr.iterchildren():
            if not isinstance(tc.tag, str) or not tc.tag.endswith("}tc"):
                continue
            paras = []
            for p in tc.iter():
                if isinstance(p.tag, str) and p.tag.endswith("}p"):
                    paras.append(_paragraph_text(p))
            text = "\n".join(x for x in paras if x)
            at = len(row)
            if not text and _continues_down(tc) and rows and at < len(rows[-1]):
                text = rows[-1][at]  # the merged cell above goes on
            row.append(text)
            row.extend([""] * (max(1, _w_int(tc, "tcPr", "gridSpan")) - 1))
        rows.append(row)
    return rows


def _w_child(node: Any, *names: str) -> Any:
    """The first descendant along `names` (local names of w: elements), or None."""
    for name in names:
        node = next(
            (
                c
                for c in node.iterchildren()
                if isinstance(c.tag, str) and c.tag.rsplit("}", 1)[-1] == name
            ),
            None,
        )
        if node is None:
            return None
    return node


def _w_val(node: Any) -> str | None:
    return next((v for k, v in node.attrib.items() if k.rsplit("}", 1)[-1] == "val"), None)


def _w_int(node: Any, props: str, name: str) -> int:
    """An integer property of a row or cell (trPr/gridBefore, tcPr/gridSpan); 0 if absent."""
    found = _w_child(node, props, name)
    value = _w_val(found) if found is not None else None
    return int(value) if value is not None and value.isdigit() and int(value) < 64 else 0


def _continues_down(tc: Any) -> bool:
    """A cell that continues the one above it (vMerge without restart)."""
    merge = _w_child(tc, "tcPr", "vMerge")
    return merge is not None and _w_val(merge) in (None, "continue")


def _title_from_paragraphs(paragraphs: list[str]) -> str:
    for p in paragraphs:
        p = p.strip()
        if p and re.search(r"要点|计划|台账|任务|清单|安排", p) and len(p) <= 60:
            return p
    return ""
