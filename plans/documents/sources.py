"""Read a plan file — text in any of the encodings pages are saved in, .docx or .xlsx — and parse it.

This is where a plan file comes in: `parse_file` (from disk) and `parse_bytes` (in memory) read
the bytes, tell what kind of file they are (`sniff`) and hand them to the reader for that kind:
text_decoding (plain text), docx_reader, xlsx_reader; a .docx/.xlsx passes the archive check
(archives.safe_package) first.

Everything a user can get wrong about the file itself (empty, binary, an HTML page, a legacy
.doc, a corrupt archive, far too big, not a file at all) raises PlanFormatError with one
sentence that says what to do; nothing here lets a library's traceback reach the user.

What the reader refuses, and why (the limits are far above any real plan):

- anything that is not a regular file (a directory, a FIFO, /dev/zero, a socket): reading one
  can hang or never end. The file is opened without blocking and checked again once open.
- more than MAX_BYTES (20 MB) on disk; at most MAX_BYTES + 1 bytes are ever read.
- a legacy .doc/.xls, an encrypted Office file, PDF, RTF, an image or a compressed archive,
  each with what to save it as instead.
- a .docx/.xlsx archive that breaks the limits in archives.py (entries, member names,
  encryption, part and package sizes, compression ratio, a DTD).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from plans.documents.archives import MB, check_directory, safe_package
from plans.documents.docx_reader import parse_docx
from plans.documents.parser import PlanFormatError, parse_text
from plans.documents.text_decoding import decode
from plans.documents.xlsx_reader import parse_xlsx
from plans.model import Plan

# Real plans are tens of kilobytes; a .docx with pictures may reach a few megabytes.
MAX_BYTES = 20 * MB


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
    return parse_bytes(read_plan_file(path), name=path.name, year=year)


def read_plan_file(path: Path) -> bytes:
    """The bytes of a plan file: a regular file of at most MAX_BYTES, else PlanFormatError."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PlanFormatError(f"{path}: no such file") from None
    except OSError as e:
        raise PlanFormatError(f"{path}: cannot read ({_reason(e)})") from None
    _check_regular(path, info)
    # O_NONBLOCK: should the path be swapped for a FIFO after the check, open() must not wait
    # for a writer; the fstat below then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise PlanFormatError(f"{path}: cannot read ({_reason(e)})") from None
    try:
        _check_regular(path, os.fstat(fd))
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(MB, MAX_BYTES + 1 - total))
            except BlockingIOError:
                raise PlanFormatError(f"{path}: not a regular file") from None
            except OSError as e:
                raise PlanFormatError(f"{path}: cannot read ({_reason(e)})") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_BYTES:  # the file grew after the stat: still too large
                raise PlanFormatError(_too_large(path.name, total))
    finally:
        os.close(fd)
    return b"".join(chunks)


def _reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied: ask for read access, or copy the file somewhere you can read"
    return e.strerror or e.__class__.__name__


def _check_regular(path: Path, info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > MAX_BYTES:
            raise PlanFormatError(_too_large(path.name, info.st_size))
        return
    what = (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise PlanFormatError(
        f"{path}: is {what}, not a plan document; give the path of a .docx, .xlsx or .txt file"
    )


def _too_large(label: str, size: int) -> str:
    shown = f"{size / MB:.1f} MB" if size < 1024 * MB else f"{size / MB / 1024:.1f} GB"
    if round(size / MB, 1) <= MAX_BYTES // MB:
        shown = f"{size:,} bytes"  # just over: "20.0 MB" would read as within the limit
    return f"{label}: too large for a plan document ({shown}; the limit is {MAX_BYTES // MB} MB)"


def parse_bytes(data: bytes, *, name: str = "", year: int | None = None) -> ParsedFile:
    """Parse a plan document held in memory (a file received in chat, or read from disk)."""
    label = name or "document"
    if len(data) > MAX_BYTES:
        raise PlanFormatError(_too_large(label, len(data)))
    if not data.strip():
        raise PlanFormatError(f"{label}: the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    try:
        kind = sniff(data, name=name)
        if kind == "docx":
            plan = parse_docx(safe_package(data), _stem(label), year)
        elif kind == "xlsx":
            plan = parse_xlsx(safe_package(data), _stem(label), year)
        else:
            text, notes = decode(data, name)
            plan = parse_text(text, source_name=_stem(name), year=year)
            if notes:
                plan = replace(plan, warnings=(*plan.warnings, *notes))
    except PlanFormatError as e:
        raise PlanFormatError(f"{label}: {e}") from None
    except RecursionError:
        raise PlanFormatError(f"{label}: the document is nested too deeply to read") from None
    except MemoryError:
        raise PlanFormatError(f"{label}: the document is too big to read in memory") from None
    return ParsedFile(plan=plan, content_hash=digest, source_name=name, kind=kind)


# ---------------------------------------------------------------------------- what the file is

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .doc, .xls, encrypted OOXML


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff(data: bytes, *, name: str = "") -> str:
    """What a file is, from its bytes: "docx", "xlsx" or "text"; anything else is an error."""
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        check_directory(data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                mimetype = b""
                if "mimetype" in names:
                    with z.open("mimetype") as member:
                        mimetype = member.read(80)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
            raise PlanFormatError(
                "the file looks like a .docx/.xlsx but the archive is damaged; "
                "open it in Word/WPS/Excel and save it again"
            ) from None
        except RuntimeError:  # an encrypted "mimetype" member
            raise PlanFormatError(
                "the archive is password-protected; remove the password and save it again"
            ) from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            raise PlanFormatError(
                "this is an OpenDocument file (.odt/.ods); save it as .docx or .xlsx "
                "and import that"
            )
        raise PlanFormatError("a zip archive that is neither a .docx nor an .xlsx document")
    if head.startswith(_CFB[:4]):
        if _utf16("EncryptedPackage") in data:
            raise PlanFormatError(
                "the document is password-protected; open it in Word/WPS/Excel, remove the "
                "password (File › Info › Protect), save it and import that"
            )
        if _utf16("WordDocument") in data:
            raise PlanFormatError(
                "this is an old-style .doc file; open it in Word or WPS, save it as .docx "
                "and import that"
            )
        if _utf16("Workbook") in data or _utf16("Book") in data:
            raise PlanFormatError(
                "this is an old-style .xls file; open it in Excel or WPS, save it as .xlsx "
                "and import that"
            )
        raise PlanFormatError(
            "this is an old-style .doc/.xls file; save it as .docx or .xlsx and import that"
        )
    if head.startswith(b"%PDF"):
        raise PlanFormatError(
            "PDF is not supported; import the .docx the PDF was made from, or copy the plan "
            "text out of the PDF into a .txt file and import that"
        )
    if head.startswith(b"{\\rtf"):
        raise PlanFormatError("this is an RTF file; open it in Word or WPS and save it as .docx")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")):
        raise PlanFormatError("this is an image, not a plan document")
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")):
        raise PlanFormatError("this is a compressed archive; unpack it and import the plan inside")
    return "text"


def _stem(name: str) -> str:
    return Path(name).stem if name else ""
