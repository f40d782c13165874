"""Read a plan file — text in any of the encodings pages are saved in, .docx or .xlsx — and parse it.

Everything a user can get wrong about the file itself (empty, binary, an HTML page, a legacy
.doc, a corrupt archive, far too big, not a file at all) raises PlanFormatError with one
sentence that says what to do; nothing here lets a library's traceback reach the user.

What the reader refuses, and why (the limits are far above any real plan):

- anything that is not a regular file (a directory, a FIFO, /dev/zero, a socket): reading one
  can hang or never end. The file is opened without blocking and checked again once open.
- more than MAX_BYTES (20 MB) on disk; at most MAX_BYTES + 1 bytes are ever read.
- a .docx/.xlsx archive is inspected before python-docx or openpyxl see it: more than
  MAX_MEMBERS entries, member names no Office program writes (`../`, absolute paths),
  encrypted members, an XML part over MAX_PART_BYTES (10 MB) uncompressed or compressed more
  than MAX_RATIO times, XML parts over MAX_PACKAGE_BYTES (12 MB) together, or a DTD (entity
  expansion: "billion laughs"). The sizes in the archive's headers are checked first and then
  enforced while decompressing, so a lying header cannot make us inflate more. Pictures, fonts
  and embedded objects are never decompressed: the libraries get an empty stand-in, because
  duban reads only the text.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import io
import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from plans.documents.docx_numbering import Numbering
from plans.documents.parser import PlanFormatError, find_header, parse_rows, parse_text
from plans.model import Plan

MB = 1024 * 1024
# Real plans are tens of kilobytes; a .docx with pictures may reach a few megabytes.
MAX_BYTES = 20 * MB
# A .docx has a dozen or two entries, an .xlsx one or two per sheet.
MAX_MEMBERS = 1000
# A real 工作要点's word/document.xml is well under 1 MB; 10 MB is several hundred pages.
# python-docx parses every Word XML part into lxml trees, about twenty times their size in
# memory: with all the XML parts together held to 12 MB, a .docx built to be as heavy as
# these limits allow peaks near 280 MB (a realistic 10 MB document.xml: 213 MB).
MAX_PART_BYTES = 10 * MB
MAX_PACKAGE_BYTES = 12 * MB
# Word's XML compresses five to twenty times; a part over 1 MB compressed more than this is
# a decompression bomb, not a document.
MAX_RATIO = 200
_RATIO_FROM = 1 * MB
# An .xlsx plan table has a dozen columns; nothing past this column is read.
MAX_COLUMNS = 200
MAX_ROWS = 20000


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
            plan = _parse_docx(safe_package(data), label, year)
        elif kind == "xlsx":
            plan = _parse_xlsx(safe_package(data), label, year)
        else:
            text, notes = _decode(data, name)
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


# ---------------------------------------------------------------------------- .docx/.xlsx archives

_XML_PART = re.compile(r"\.(?:xml|rels)$", re.IGNORECASE)
# Parts holding pictures, fonts or embedded files: never decompressed (duban reads text only).
_BINARY_DIR = re.compile(r"(?:^|/)(?:media|embeddings|fonts|activeX|printerSettings)/", re.I)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def safe_package(data: bytes) -> bytes:
    """The .docx/.xlsx archive `data` rebuilt with only what duban reads, within the limits.

    XML parts are decompressed, each stopping past MAX_PART_BYTES whatever its header says;
    pictures and other binary parts become empty. Raises PlanFormatError naming the part and
    the limit it broke.
    """
    check_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise PlanFormatError(_DAMAGED) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise PlanFormatError(
                f"the archive has {len(members):,} entries (the limit is {MAX_MEMBERS:,}); "
                "it is not a plan document"
            )
        seen: set[str] = set()
        declared = 0
        for info in members:
            _check_member_name(info.filename, seen)
            if info.flag_bits & 0x1:
                raise PlanFormatError(
                    "the document is password-protected; remove the password and save it again"
                )
            if _reads(info):
                _check_declared_size(info)
                declared += info.file_size
        if declared > MAX_PACKAGE_BYTES:
            raise PlanFormatError(_package_too_big(declared))
        out = io.BytesIO()
        total = 0
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as rebuilt:
            for info in members:
                if info.is_dir():
                    continue
                content = _read_member(archive, info) if _reads(info) else b""
                total += len(content)
                if total > MAX_PACKAGE_BYTES:
                    raise PlanFormatError(_package_too_big(total))
                rebuilt.writestr(info.filename, content)
    return out.getvalue()


def check_directory(data: bytes) -> None:
    """Refuse an archive with too many entries from its end record, before zipfile reads a
    directory of hundreds of thousands of entries into memory (20 MB can hold 230,000)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # no end record: zipfile will find the archive damaged
    entries, directory = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # zip64: the counts are further back
        locator = data.rfind(b"PK\x06\x07", max(0, end - 20), end)
        if locator >= 0:
            (offset,) = struct.unpack_from("<Q", data, locator + 8)
            if offset + 56 <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
                entries, directory = struct.unpack_from("<QQ", data, offset + 32)
    if entries > MAX_MEMBERS:
        raise PlanFormatError(
            f"the archive has {entries:,} entries (the limit is {MAX_MEMBERS:,}); "
            "it is not a plan document"
        )
    if directory > MAX_MEMBERS * 1024:
        raise PlanFormatError(
            f"the archive's directory takes {directory / MB:,.1f} MB (the limit is "
            f"{MAX_MEMBERS * 1024 / MB:,.1f} MB); it is not a plan document"
        )


_DAMAGED = (
    "the file looks like a .docx/.xlsx but the archive is damaged; "
    "open it in Word/WPS/Excel and save it again"
)


def _reads(info: zipfile.ZipInfo) -> bool:
    """Whether duban decompresses this member: XML parts, not pictures or embedded files."""
    name = info.filename
    return not info.is_dir() and bool(_XML_PART.search(name)) and not _BINARY_DIR.search(name)


def _check_member_name(name: str, seen: set[str]) -> None:
    parts = name.replace("\\", "/").split("/")
    if (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name)
        or ".." in parts
        or "\x00" in name
    ):
        raise PlanFormatError(
            f"the archive holds a file named {name[:60]!r}, which no Office program writes; "
            "it is not a plan document"
        )
    if name in seen:
        raise PlanFormatError(f"the archive holds {name[:60]!r} twice; it is damaged")
    seen.add(name)


def _check_declared_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise PlanFormatError(_part_too_big(info.filename, info.file_size))
    if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise PlanFormatError(
            f"{info.filename} inflates {ratio:,.0f} times (the limit is {MAX_RATIO}); "
            "this is a decompression bomb, not a document"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, decompressing at most MAX_PART_BYTES + 1 of them."""
    try:
        with archive.open(info) as member:
            content = member.read(MAX_PART_BYTES + 1)
    except RuntimeError:  # encrypted
        raise PlanFormatError(
            "the document is password-protected; remove the password and save it again"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise PlanFormatError(_DAMAGED) from None
    except Exception:  # zlib.error and the like: a damaged deflate stream
        raise PlanFormatError(_DAMAGED) from None
    if len(content) > MAX_PART_BYTES:
        raise PlanFormatError(_part_too_big(info.filename, len(content), at_least=True))
    if _DTD.search(_prolog(content)):
        raise PlanFormatError(
            f"{info.filename} declares a DTD or entities, which no Office program writes; "
            "it is not a plan document"
        )
    return content


def _prolog(content: bytes) -> bytes:
    """The start of an XML part, in UTF-8 even when the part is UTF-16 (a DTD comes first)."""
    head = content[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:2] == b"\x00":
        try:
            return head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:
            return head
    return head


def _part_too_big(name: str, size: int, *, at_least: bool = False) -> str:
    more = "over " if at_least else ""
    return (
        f"{name} is {more}{size / MB:,.0f} MB uncompressed (the limit is "
        f"{MAX_PART_BYTES // MB} MB); this is not a plan document"
    )


def _package_too_big(size: int) -> str:
    return (
        f"the document's parts come to {size / MB:,.0f} MB uncompressed (the limit is "
        f"{MAX_PACKAGE_BYTES // MB} MB); this is not a plan document"
    )


# ---------------------------------------------------------------------------- text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What Chinese text is saved in besides UTF-8: GB18030 (a superset of GBK and GB2312) on the
# mainland, Big5 (as Windows' cp950, or with Hong Kong's additions) in Taiwan and Hong Kong.
_LEGACY = ("gb18030", "cp950", "big5hkscs")
# Words any plan has, in either script: a decoding that finds them is the right one.
_PLAN_WORDS = ("工作", "要点", "要點", "单位", "單位", "责任", "責任", "年", "月", "推进", "推進")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")


def decode_text(data: bytes) -> str:
    """Decode plan text: BOM first, then UTF-8, else whichever of GB18030 and Big5 reads as
    Chinese (Traditional text is turned into Simplified later, by the parser)."""
    return _decode(data)[0]


def _decode(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """The text and notes for the import review (lines in a second encoding)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise PlanFormatError(f"the text is damaged ({enc} with errors)") from None
            return _check_text(text, name), []
    nuls = data.count(b"\x00")
    if nuls:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _check_text(utf16, name), []
        if nuls * 100 > len(data):
            raise PlanFormatError("this is a binary file, not a plan document")
    try:
        return _check_text(data.decode("utf-8"), name), []
    except UnicodeDecodeError:
        pass
    mixed = _mixed(data)
    if mixed is not None:
        return _check_text(mixed[0], name), mixed[1]
    best = _best_legacy(data)
    if best is None:
        raise PlanFormatError(
            "the text is neither UTF-8, UTF-16, GB18030/GBK nor Big5 (or it is a binary "
            "file); save it as UTF-8 and try again"
        )
    return _check_text(best[1], name), []


def _best_legacy(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) of the legacy decoding that reads most like Chinese, if any does."""
    scored: list[tuple[float, int, str, str]] = []
    for rank, enc in enumerate(_LEGACY):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text), -rank, enc, text))
    if not scored:
        return None
    score, _, enc, text = max(scored)
    return (enc, text) if score >= 0.6 else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark, when one byte order reads as Chinese."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if plausibility(text) >= 0.9 and any("\u4e00" <= c <= "\u9fff" for c in text[:4096]):
            return text
    return None


def _mixed(data: bytes) -> tuple[str, list[str]] | None:
    """Text pasted together from files in two encodings: UTF-8 lines and lines in a legacy
    encoding. Each line is decoded in its own; the import review says which were which."""
    lines = data.split(b"\n")
    utf8: list[int] = []
    other: list[int] = []
    for k, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(k)
            continue
        if sum(1 for c in decoded if ord(c) > 0x7F) >= 4:
            utf8.append(k)
    if len(utf8) < 2 or not other:
        return None
    as_utf8 = "\n".join(lines[k].decode("utf-8") for k in utf8)
    if plausibility(as_utf8) < 0.9:
        return None  # lines of GB18030 that happen to be valid UTF-8 read as nonsense
    best = _best_legacy(b"\n".join(lines[k] for k in other))
    if best is None:
        return None
    enc = best[0]
    out: list[str] = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(enc, errors="replace"))
    shown = ", ".join(str(k + 1) for k in other[:8]) + (" …" if len(other) > 8 else "")
    note = (
        f"the file mixes encodings: lines {shown} are {enc.upper()}, the rest UTF-8; "
        "check those lines, or save the file as UTF-8"
    )
    return "\n".join(out), [note]


@functools.cache
def _common_han() -> frozenset[str]:
    """The characters everyday Chinese text is made of, in both scripts: GB2312's 3,755
    first-level characters and Big5's 5,401 frequently used ones."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(chars)


def _ordinary(c: str) -> bool:
    """CJK punctuation, full-width forms and general punctuation (“”—…) count as ordinary."""
    o = ord(c)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F


def plausibility(text: str) -> float:
    """How much `text` reads like Chinese: the share of its non-ASCII characters that are
    common Han characters or CJK punctuation, plus a little for each plan word found."""
    sample = text[:200_000]
    wide = [c for c in sample if ord(c) > 0x7F]
    if not wide:
        return 1.0
    common = _common_han()
    good = sum(1 for c in wide if c in common or _ordinary(c))
    bonus = 0.02 * sum(1 for w in _PLAN_WORDS if w in sample)
    return good / len(wide) + bonus


def _check_text(text: str, name: str = "") -> str:
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if controls > 8 and controls / len(sample) > 0.01:
        raise PlanFormatError("this is a binary file, not a plan document")
    if re.match(r"\s*MIME-Version:", sample[:2000], re.IGNORECASE) and re.search(
        r"multipart/related", sample[:4000], re.IGNORECASE
    ):
        raise PlanFormatError(
            "this is a web archive (.mht, Word's “single file web page”); open it in Word or "
            "WPS, save it as .docx and import that"
        )
    if re.search(r"<(?:!doctype\s+html|html|head|body)\b", sample[:4000], re.IGNORECASE):
        if name.lower().endswith((".doc", ".docx")):
            raise PlanFormatError(
                "this is an HTML page saved with a Word name; open it in Word or WPS, "
                "save it as .docx and import that"
            )
        raise PlanFormatError(
            "this is an HTML page; copy the plan's text from the page into a .txt file, "
            "or save the page as text, and import that"
        )
    # A few stray control characters (a NUL from a bad copy) are not part of the plan.
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise PlanFormatError("the file is empty")
    return text


def _stem(name: str) -> str:
    return Path(name).stem if name else ""


# ---------------------------------------------------------------------------- .docx


def _parse_docx(data: bytes, label: str, year: int | None) -> Plan:
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
            return parse_rows(table, title=text_title or _stem(label), year=year)
    if not any(p.strip() for p in paragraphs):
        raise PlanFormatError("the .docx has no text")
    return parse_text("\n".join(paragraphs), source_name=_stem(label), year=year)


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
    """Cell texts of a Word table, row by row; a merged cell repeats as Word shows it once."""
    rows: list[list[str]] = []
    for tr in tbl.iterchildren():
        if not isinstance(tr.tag, str) or not tr.tag.endswith("}tr"):
            continue
        row: list[str] = []
        for tc in tr.iterchildren():
            if not isinstance(tc.tag, str) or not tc.tag.endswith("}tc"):
                continue
            paras = []
            for p in tc.iter():
                if isinstance(p.tag, str) and p.tag.endswith("}p"):
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


# ---------------------------------------------------------------------------- .xlsx


def _parse_xlsx(data: bytes, label: str, year: int | None) -> Plan:
    try:
        import openpyxl

        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises a zoo of errors on damaged files
        raise PlanFormatError(f"the .xlsx cannot be opened ({e.__class__.__name__})") from None
    try:
        if not values.worksheets:
            raise PlanFormatError("the workbook has no sheets")
        for sheet, formula_sheet in zip(values.worksheets, formulas.worksheets, strict=False):
            try:
                grid = _sheet_grid(sheet, formula_sheet)
            except PlanFormatError:
                raise
            except Exception as e:
                raise PlanFormatError(
                    f"sheet {sheet.title!r} cannot be read ({e.__class__.__name__}); "
                    "open the file in Excel or WPS and save it again"
                ) from None
            if find_header(grid.rows) is not None:
                rows, notes = grid.without_pending(sheet.title)
                title = _title_above_header(rows) or _stem(label)
                plan = parse_rows(rows, title=title, year=year)
                return replace(plan, warnings=(*plan.warnings, *notes)) if notes else plan
    finally:
        values.close()
        formulas.close()
    raise PlanFormatError(
        "no sheet has a plan table: expected a header row with 工作任务 and 牵头单位/责任单位/完成时限"
    )


@dataclass
class _Grid:
    """A sheet's cell texts, and the formulas whose value Excel never saved, by (row, col)."""

    rows: list[list[str]]
    pending: dict[tuple[int, int], str]

    def without_pending(self, sheet: str) -> tuple[list[list[str]], list[str]]:
        """The rows to parse and the warnings for the import review: a row whose 工作任务 is a
        formula without a value is left out (it would otherwise run into the row above), and
        other such cells read as empty — both named, so nothing disappears silently."""
        found = find_header(self.rows)
        if found is None or not self.pending:
            return self.rows, []
        header_at, cols = found
        task = cols.get("task")
        dropped = sorted({r for r, c in self.pending if r > header_at and c == task})
        emptied = sorted(
            (r, c) for r, c in self.pending if r > header_at and r not in dropped and c != task
        )
        notes: list[str] = []
        fix = "open the file in Excel or WPS, save it, and import it again"
        if dropped:
            example = self.pending[(dropped[0], task or 0)]
            notes.append(
                f"sheet {sheet}: rows {_list(r + 1 for r in dropped)} not imported: their "
                f"task is a formula with no saved value ({example[:30]}); {fix}"
            )
        if emptied:
            cells = _list(f"{_column_letter(c)}{r + 1}" for r, c in emptied)
            notes.append(
                f"sheet {sheet}: cells {cells} are formulas with no saved value, read as empty; "
                f"{fix}"
            )
        skip = set(dropped)
        return [row for r, row in enumerate(self.rows) if r not in skip], notes


def _list(values: Iterable[object], limit: int = 8) -> str:
    items = [str(v) for v in values]
    return ", ".join(items[:limit]) + (f" … ({len(items)} in all)" if len(items) > limit else "")


def _column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _sheet_grid(sheet: Any, formula_sheet: Any) -> _Grid:
    """Read a sheet twice in step: the values Excel saved, and the formulas where it saved
    none (files written by programs, not Excel). A simple formula is worked out here."""
    values: list[list[object]] = []
    formulas: dict[tuple[int, int], str] = {}
    value_rows = sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True)
    formula_rows = formula_sheet.iter_rows(
        min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True
    )
    for r, (value_row, formula_row) in enumerate(zip(value_rows, formula_rows, strict=False)):
        row = list(value_row)
        while row and row[-1] is None:  # an empty row costs nothing, however wide the sheet
            row.pop()
        for c, formula in enumerate(formula_row):
            saved = value_row[c] if c < len(value_row) else None
            if isinstance(formula, str) and formula.startswith("=") and saved is None:
                formulas[(r, c)] = formula
                row.extend([None] * (c + 1 - len(row)))
        values.append(row)
        if len(values) > MAX_ROWS:
            raise PlanFormatError(f"the sheet has more than {MAX_ROWS:,} rows; is it a plan?")
    pending: dict[tuple[int, int], str] = {}
    evaluator = _Formula(values, formulas)
    for (r, c), formula in formulas.items():
        result = evaluator.evaluate(r, c)
        if result is None:
            pending[(r, c)] = formula
        else:
            values[r][c] = result
    rows = [[_cell_text(v) for v in row] for row in values]
    for row in rows:
        while row and not row[-1]:
            row.pop()
    return _Grid(rows, pending)


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<num>\d+(?:\.\d+)?)|(?P<ref>\$?[A-Z]{1,3}\$?\d+)(?![\w(])'
    r"|(?P<fn>[A-Z][A-Z0-9.]*)\s*\(|(?P<op>[&(),]))",
    re.IGNORECASE,
)


class _Formula:
    """Works out the formulas that only join text: ="推进"&"科技金融", =CONCATENATE(B2,"…"),
    =B3. Anything else (arithmetic, lookups, other sheets) is not guessed at: None."""

    def __init__(
        self, values: Sequence[Sequence[object]], formulas: dict[tuple[int, int], str]
    ) -> None:
        self._values = values
        self._formulas = formulas  # the formulas without a saved value, by (row, column)
        self._depth = 0

    def evaluate(self, r: int, c: int) -> str | None:
        """The formula's text value, or None when it does more than join text."""
        formula = self._formulas.get((r, c))
        if formula is None or self._depth > 8:
            return None
        tokens = self._tokens(formula[1:])
        if tokens is None:
            return None
        self._depth += 1
        try:
            value, rest = self._concat(tokens)
        finally:
            self._depth -= 1
        return value if value is not None and not rest else None

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, str]] | None:
        out: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if not text[pos:].strip():
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.lastgroup is None:
                return None
            out.append((m.lastgroup, m.group(m.lastgroup)))
            pos = m.end()
        return out

    def _concat(self, tokens: list[tuple[str, str]]) -> tuple[str | None, list[tuple[str, str]]]:
        value, tokens = self._term(tokens)
        while value is not None and tokens and tokens[0] == ("op", "&"):
            more, tokens = self._term(tokens[1:])
            value = value + more if more is not None else None
        return value, tokens

    def _term(self, tokens: list[tuple[str, str]]) -> tuple[str | None, list[tuple[str, str]]]:
        if not tokens:
            return None, tokens
        kind, text = tokens[0]
        if kind == "str":
            return text[1:-1].replace('""', '"'), tokens[1:]
        if kind == "num":
            return _cell_text(float(text)), tokens[1:]
        if kind == "ref":
            return self._ref(text), tokens[1:]
        if kind == "fn" and text.upper() in ("CONCATENATE", "CONCAT", "_XLFN.CONCAT"):
            parts: list[str] = []
            tokens = tokens[1:]
            while tokens and tokens[0] != ("op", ")"):
                part, tokens = self._concat(tokens)
                if part is None:
                    return None, tokens
                parts.append(part)
                if tokens and tokens[0] == ("op", ","):
                    tokens = tokens[1:]
            if not tokens:
                return None, tokens
            return "".join(parts), tokens[1:]
        if kind == "op" and text == "(":
            value, tokens = self._concat(tokens[1:])
            if not tokens or tokens[0] != ("op", ")"):
                return None, tokens
            return value, tokens[1:]
        return None, tokens

    def _ref(self, ref: str) -> str | None:
        m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.upper())
        if m is None:
            return None
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - ord("A") + 1
        r, c = int(m.group(2)) - 1, col - 1
        if c >= MAX_COLUMNS:
            return None  # not read: not guessed at
        if r < 0 or r >= len(self._values) or c >= len(self._values[r]):
            return ""  # an empty cell joins as ""
        value = self._values[r][c]
        if value is not None:
            return _cell_text(value)
        if (r, c) in self._formulas:
            return self.evaluate(r, c)
        return ""


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
