"""The .docx/.xlsx archive check: what python-docx and openpyxl may be given.

An Office file is a zip archive; it is inspected here before either library sees it, and
rebuilt with only what duban reads (`safe_package`). Refused, with one sentence saying what to
do: more than MAX_MEMBERS entries, member names no Office program writes (`../`, absolute
paths), encrypted members, an XML part over MAX_PART_BYTES (10 MB) uncompressed or compressed
more than MAX_RATIO times, XML parts over MAX_PACKAGE_BYTES (12 MB) together, or a DTD (entity
expansion: "billion laughs"). The sizes in the archive's headers are checked first and then
enforced while decompressing, so a lying header cannot make us inflate more. Pictures, fonts
and embedded objects are never decompressed: the libraries get an empty stand-in, because
duban reads only the text.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile

from plans.documents.parser import PlanFormatError

MB = 1024 * 1024
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
