"""Read a plan file — text in any of the encodings pages are saved in, .docx or .xlsx — and parse it.

Everything a user can get wrong about the file itself (empty, binary, an HTML page, a legacy
.doc, a corrupt archive, far too big) raises PlanFormatError with one sentence that says what
to do; nothing here lets a library's traceback reach the user.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plans.docx_numbering import Numbering
from plans.model import Plan
from plans.parser import PlanFormatError, find_header, parse_rows, parse_text

# Real plans are tens of kilobytes; a .docx with pictures may reach a few megabytes.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ParsedFile:
    """A parsed plan and the fingerprint of the bytes it came from (to spot re-imports)."""

    plan: Plan
    content_hash: str
    source_name: str
    kind: str  # "text", "docx" or "xlsx"


def parse_file(path: str | Path, *, year: int | None = None) -> ParsedFile:
    """Read and parse a plan document from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PlanFormatError(f"{path}: no such file") from None
    except OSError as e:
        raise PlanFormatError(f"{path}: cannot read ({e.strerror})") from None
    if path.is_dir():
        raise PlanFormatError(f"{path}: is a directory, not a plan document")
    if size > MAX_BYTES:
        raise PlanFormatError(
            f"{path.name}: too large for a plan document "
            f"(over the {MAX_BYTES // 1024 // 1024} MB limit)"
        )
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PlanFormatError(f"{path}: cannot read ({e.strerror})") from None
    return parse_bytes(data, name=path.name, year=year)


def parse_bytes(data: bytes, *, name: str = "", year: int | None = None) -> ParsedFile:
    """Parse a plan document held in memory (a file received in chat, or read from disk)."""
    label = name or "document"
    if len(data) > MAX_BYTES:
        raise PlanFormatError(f"{label}: too large for a plan document")
    if not data.strip():
        raise PlanFormatError(f"{label}: the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    try:
        kind = sniff(data)
        if kind == "docx":
            plan = _parse_docx(data, label, year)
        elif kind == "xlsx":
            plan = _parse_xlsx(data, label, year)
        else:
            plan = parse_text(decode_text(data), source_name=_stem(name), year=year)
    except PlanFormatError as e:
        raise PlanFormatError(f"{label}: {e}") from None
    except RecursionError:
        raise PlanFormatError(f"{label}: the document is nested too deeply to read") from None
    return ParsedFile(plan=plan, content_hash=digest, source_name=name, kind=kind)


def sniff(data: bytes) -> str:
    """What a file is, from its bytes: "docx", "xlsx" or "text"; anything else is an error."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise PlanFormatError(
                "the file looks like a .docx/.xlsx but the archive is damaged; "
                "open it in Word/WPS/Excel and save it again"
            ) from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise PlanFormatError("a zip archive that is neither a .docx nor an .xlsx document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise PlanFormatError(
            "this is an old-style .doc/.xls file; save it as .docx or .xlsx and import that"
        )
    if head.startswith(b"%PDF"):
        raise PlanFormatError(
            "PDF is not supported; import the .docx, or copy the plan text into a .txt file"
        )
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise PlanFormatError("this is an image, not a plan document")
    return "text"


def decode_text(data: bytes) -> str:
    """Decode plan text: BOM first, then UTF-8, then GB18030 (what Chinese Windows saves)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise PlanFormatError(f"the text is damaged ({enc} with errors)") from None
            return _check_text(text)
    if b"\x00" in data[:4096]:
        raise PlanFormatError("this is a binary file, not a plan document")
    for enc in ("utf-8", "gb18030"):
        try:
            return _check_text(data.decode(enc))
        except UnicodeDecodeError:
            continue
    raise PlanFormatError(
        "the text is neither UTF-8 nor GB18030/GBK; save it as UTF-8 and try again"
    )


def _check_text(text: str) -> str:
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    if sample and controls / len(sample) > 0.01:
        raise PlanFormatError("this is a binary file, not a plan document")
    if re.search(r"<(?:!doctype\s+html|html|head|body)\b", sample[:4000], re.IGNORECASE):
        raise PlanFormatError(
            "this is an HTML page; copy the plan's text from the page into a .txt file, "
            "or save the page as text, and import that"
        )
    if not text.strip():
        raise PlanFormatError("the file is empty")
    return text


def _stem(name: str) -> str:
    return Path(name).stem if name else ""


def _parse_docx(data: bytes, label: str, year: int | None) -> Plan:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise PlanFormatError(f"the .docx cannot be opened ({e.__class__.__name__})") from None
    except Exception as e:  # lxml errors on broken XML have no common base we can import cheaply
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
            return parse_rows(table, title=text_title or _stem(label), year=year)
    if not any(p.strip() for p in paragraphs):
        raise PlanFormatError("the .docx has no text")
    return parse_text("\n".join(paragraphs), source_name=_stem(label), year=year)


def _paragraph_text(p: Any) -> str:
    """A Word paragraph's text; a soft line break (Shift+Enter) is a new line, as it looks."""
    parts: list[str] = []
    for node in p.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(node.text or "")
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "tab":
            parts.append("\t")
    return "".join(parts)


def _docx_table(tbl: Any) -> list[list[str]]:
    """Cell texts of a Word table, row by row; a merged cell repeats as Word shows it once."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren():
        if not tr.tag.endswith("}tr"):
            continue
        row: list[str] = []
        for tc in tr.iterchildren():
            if not tc.tag.endswith("}tc"):
                continue
            paras = []
            for p in tc.iter():
                if p.tag.endswith("}p"):
                    paras.append(_paragraph_text(p))
            row.append("\n".join(x for x in paras if x))
        rows.append(row)
    return rows


def _title_from_paragraphs(paragraphs: list[str]) -> str:
    for p in paragraphs:
        p = p.strip()
        if p and re.search(r"要点|计划|台账|任务|清单|安排", p) and len(p) <= 60:
            return p
    return ""


def _parse_xlsx(data: bytes, label: str, year: int | None) -> Plan:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises a zoo of errors on damaged files
        raise PlanFormatError(f"the .xlsx cannot be opened ({e.__class__.__name__})") from None
    try:
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in row])
                if len(rows) > 20000:
                    raise PlanFormatError("the sheet has more than 20,000 rows; is it a plan?")
            if find_header(rows) is not None:
                title = _title_above_header(rows) or _stem(label)
                return parse_rows(rows, title=title, year=year)
    finally:
        workbook.close()
    raise PlanFormatError(
        "no sheet has a plan table: expected a header row with 工作任务 and 牵头单位/责任单位/完成时限"
    )


def _title_above_header(rows: list[list[str]]) -> str:
    found = find_header(rows)
    if found is None:
        return ""
    for row in rows[: found[0]]:
        for cell in row:
            if cell.strip():
                # duban's own ledger titles itself "…督查台账": the plan is what comes before
                title = re.sub(r"\s*(?:督查|督办|工作)?台账$", "", cell.strip())
                return title or cell.strip()
    return ""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and hasattr(value, "year"):
        d = value
        return f"{d.year}年{d.month}月{d.day}日"  # type: ignore[attr-defined]
    return str(value)
