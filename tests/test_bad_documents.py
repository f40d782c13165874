"""Bad documents that still hurt (issue 8), and the hardening run over malformed documents.

Every document is made here, for real: .docx with python-docx, .xlsx with openpyxl, archives
with zipfile, old Office files as OLE2 compound files, text in the encoding under test, FIFOs
and device files from the system. The hardening run drives `duban import` in child processes
(forked from one that has imported duban, see `ForkedDuban`) against a copy of a real database
and measures each child's peak memory; the installed console script runs as a process of its
own in the database cases and in tests/test_cli.py.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue

import docx
import openpyxl
import pytest
import zhconv

from bot.cli import main
from plans.documents.archives import MAX_PART_BYTES
from plans.documents.parser import PlanFormatError
from plans.documents.sources import MAX_BYTES, parse_bytes, parse_file
from tests.figures import Figures

DATA = Path(__file__).resolve().parent / "data"
SEED_001 = DATA / "seeds" / "001_90bbfd82e3d25245.txt"
MB = 1024 * 1024

PLAN_LINES = [
    "云溪市科技局2026年工作要点",
    "一、强化企业创新主体地位",
    "(一)加快高新技术企业培育。净增高新技术企业300家以上,6月底前完成认定申报。"
    "(责任单位:局高新处、产学研处)",
    "(二)建设高水平研发机构。新增省级以上企业研发机构50家,三季度完成绩效评估。"
    "(责任单位:局产学研处)",
    "二、优化科技创新生态",
    "(三)深化科技体制改革。年底前出台科技体制改革实施方案。"
    "(牵头单位:局政策法规处,配合单位:局办公室、人事处)",
    "(四)推进科技金融结合。新增科技贷款50亿元,11月底前完成。(责任单位:局资源配置处)",
]
PLAN_TEXT = "\n".join(PLAN_LINES) + "\n"
# The same plan as a page in Taiwan or Hong Kong would carry it.
TRADITIONAL_TEXT = zhconv.convert(PLAN_TEXT, "zh-hant")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ---------------------------------------------------------------------------- builders


def docx_bytes(lines: Sequence[str]) -> bytes:
    """A real .docx, one paragraph per line."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台账"
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    stream: dict[str, tuple[bytes, bytes, int, bytes]] | None = None,
) -> bytes:
    """The archive `data` with members replaced or added; `stream` members (head, unit,
    size, tail) are written chunk by chunk, so a 400 MB member never sits in memory."""
    replace, add, stream = replace or {}, add or {}, stream or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            if name in stream:
                continue
            dst.writestr(name, replace.get(name, src.read(name)))
        for name, content in add.items():
            dst.writestr(name, content)
        for name, (head, unit, size, tail) in stream.items():
            with dst.open(name, "w", force_zip64=True) as member:
                member.write(head)
                chunk = unit * max(1, MB // len(unit))
                written = 0
                while written < size:
                    member.write(chunk)
                    written += len(chunk)
                member.write(tail)
    return out.getvalue()


def document_xml(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


def paragraphs_xml(lines: Sequence[str]) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


def compound_file(streams: Sequence[str]) -> bytes:
    """An OLE2 compound file (what .doc, .xls and password-protected .docx are) holding
    streams of these names, 4 KB each: header, one FAT sector, one directory sector, data."""
    assert len(streams) <= 3
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    per_stream = 8  # 4096 bytes in 512-byte sectors
    fat = [fat_sector, end]
    for k in range(len(streams)):
        first = 2 + k * per_stream
        fat += [*range(first + 1, first + per_stream), end]
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, nostream, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if streams else nostream, nostream, end, 0)
    for k, name in enumerate(streams):
        right = k + 2 if k + 1 < len(streams) else nostream
        directory += entry(name, 2, nostream, right, 2 + k * per_stream, 4096)
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    data = b"".join(f"{name} ".encode("utf-16-le").ljust(4096, b"\0") for name in streams)
    return header + struct.pack("<128I", *fat) + directory + data


def crafted_cached_value(data: bytes, cell: str, cached: str) -> bytes:
    """The .xlsx `data` with a saved value for the formula in `cell`, as Excel writes it."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    pattern = re.compile(rf'<c r="{cell}"><f>(.*?)</f><v\s*/?>(?:</v>)?</c>')
    assert pattern.search(sheet), sheet
    sheet = pattern.sub(
        lambda m: f'<c r="{cell}" t="str"><f>{m.group(1)}</f><v>{cached}</v></c>', sheet
    )
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def plan_shape(text_or_path: Path) -> list[tuple[str, str, list[str], str | None]]:
    plan = parse_file(text_or_path).plan
    return [
        (
            i.number,
            i.title,
            [u.name for u in i.units],
            i.deadline.isoformat() if i.deadline else None,
        )
        for i in plan.items
    ]


@pytest.fixture(autouse=True)
def _no_duban_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith("DUBAN_"):
            monkeypatch.delenv(name)


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("DUBAN_")}


def _duban_script() -> str:
    script = shutil.which("duban", path=str(Path(sys.executable).parent)) or shutil.which("duban")
    assert script, "the `duban` console script is not installed (pip install -e .)"
    return script


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("duban: "), err
    return lines[0]


# ---------------------------------------------------------------------------- running duban


@dataclass
class Run:
    """One `duban` child: exit status, output, wall time and peak resident memory."""

    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    ms: float
    peak_mb: float


# A runaway child must fail its test, not take the machine: 2 GB of address space at most.
SAFETY_AS = 2 * 1024 * MB

# The child's peak RSS: Linux carries the high-water mark of the process that execs over into
# the new program, so `duban` is started by a small launcher rather than forked from pytest
# (whose own few hundred MB would be counted). The launcher limits the address space, spawns
# duban, and writes duban's exit status and ru_maxrss to a file.
_LAUNCHER = """
import os, resource, sys
report, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_duban(
    argv: Sequence[str], cwd: Path, *, timeout: float = 60, env: dict[str, str] | None = None
) -> Run:
    """Run the installed `duban` through the launcher; kill its session at the timeout."""
    tag = f"{os.getpid()}-{threading.get_ident()}"
    out_path, err_path, report = (cwd / f".{what}-{tag}" for what in ("out", "err", "rusage"))
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _LAUNCHER,
                str(report),
                str(SAFETY_AS),
                _duban_script(),
                *argv,
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env if env is not None else _child_env(),
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        ms = (time.perf_counter() - start) * 1000
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    out_path.unlink()
    err_path.unlink()
    if not report.exists():  # killed at the timeout
        return Run(None, stdout, stderr, ms, 0.0)
    status, maxrss_kb = (int(v) for v in report.read_text().split())
    report.unlink()
    return Run(status, stdout, stderr, ms, maxrss_kb / 1024)


# The hardening run's children are forked from a process that has imported what the `duban`
# console script imports, and each runs what the script runs, `sys.exit(main())`, with its own
# arguments. Each is a process of its own all the same: its own session, working directory and
# output files, its address space limited as the launcher limits it, its exit status and peak
# RSS taken by wait4 (a forked child's high-water mark starts from what it maps, not from its
# parent's peak), killed at the timeout. What it saves is starting Python and importing duban
# again for every document (0.6 s of CPU each). The console script itself, started as a
# process, is what `run_duban` runs: the database cases above, and tests/test_cli.py.
_FORK_SERVER = """
import gc, json, os, resource, sys
from bot.cli import main

answers = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    job = json.loads(line)
    gc.freeze()  # as a pre-fork server should: no child copies the heap to collect it
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.chdir(job["cwd"])
        answers.close()
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = open(os.devnull)
        resource.setrlimit(resource.RLIMIT_AS, (job["limit"], job["limit"]))
        sys.argv = ["duban", *job["argv"]]
        sys.exit(main())
    answers.write(json.dumps({"pid": pid}) + "\\n")
    answers.flush()
    _, status, usage = os.wait4(pid, 0)
    done = {"status": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss}
    answers.write(json.dumps(done) + "\\n")
    answers.flush()
"""


class ForkedDuban:
    """`duban ARGV` in a child forked from a process that has imported `bot.cli.main`."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _FORK_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=cwd,
            env=_child_env(),
            bufsize=0,
        )
        self._buffer = b""

    def _answer(self, timeout: float) -> dict[str, int] | None:
        """The server's next line, or None if it has not come within `timeout` seconds."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            assert chunk, "the fork server died"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        answer: dict[str, int] = json.loads(line)
        return answer

    def run(self, argv: Sequence[str], cwd: Path, *, timeout: float = 60) -> Run:
        """Like `run_duban`: exit status, output, wall time and peak memory; None if hung."""
        assert self.proc.stdin is not None
        out_path, err_path = cwd / ".out-forked", cwd / ".err-forked"
        job = {
            "argv": list(argv),
            "cwd": str(cwd),
            "out": str(out_path),
            "err": str(err_path),
            "limit": SAFETY_AS,
        }
        start = time.perf_counter()
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        started = self._answer(30)
        assert started is not None, "the fork server does not answer"
        done = self._answer(timeout)
        if done is None:  # a hang: kill the child's session; the server reaps it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(started["pid"], signal.SIGKILL)
            assert self._answer(30) is not None
        ms = (time.perf_counter() - start) * 1000
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        out_path.unlink()
        err_path.unlink()
        if done is None:
            return Run(None, stdout, stderr, ms, 0.0)
        return Run(done["status"], stdout, stderr, ms, done["maxrss_kb"] / 1024)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def db_state(path: Path) -> tuple[dict[str, str], list[str]]:
    """The database's files (name → sha256) and its SQL dump, read without touching it."""
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.iterdir())
        if p.is_file() and p.name.startswith(path.name)
    }
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        dump = list(conn.iterdump())
    finally:
        conn.close()
    return files, dump


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding seed 001, built once through the CLI; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "duban.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path.parent)
        for name in list(os.environ):
            if name.upper().startswith("DUBAN_"):
                mp.delenv(name)
        assert main(["--database", str(path), "import", str(SEED_001)]) == 0
    return path


def copy_db(template: Path, where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    db = where / "duban.db"
    shutil.copyfile(template, db)
    return db


# ---------------------------------------------------------------------------- 1. decompression


def test_docx_that_inflates_past_the_limit_is_refused_naming_part_and_limit(
    tmp_path: Path,
) -> None:
    # a plan whose document.xml carries a comment inflating to 40 MB: 40 KB on disk
    bomb = rezip(
        docx_bytes(PLAN_LINES),
        stream={
            "word/document.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?><!--',
                b"A" * 4096,
                40 * MB,
                b"-->" + document_xml(paragraphs_xml(PLAN_LINES)).split(b"?>", 1)[1],
            )
        },
    )
    assert len(bomb) < 200_000

    with pytest.raises(PlanFormatError) as caught:
        parse_bytes(bomb, name="bomb.docx")

    message = str(caught.value)
    assert "word/document.xml" in message
    assert f"the limit is {MAX_PART_BYTES // MB} MB" in message
    assert "\n" not in message


def test_a_header_that_lies_about_the_size_does_not_make_us_inflate_more(tmp_path: Path) -> None:
    # document.xml is really 30 MB, but its headers say 2 KB: reading must stop, not trust it
    real = rezip(
        docx_bytes(PLAN_LINES),
        stream={"word/document.xml": (b"<?xml version='1.0'?><!--", b"B" * 4096, 30 * MB, b"-->")},
    )
    lying = _lie_about_size(real, "word/document.xml", 2048)

    with pytest.raises(PlanFormatError) as caught:
        parse_bytes(lying, name="lying.docx")
    assert "damaged" in str(caught.value)


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of `name` in its local and central headers (zip64 gone)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    blob = bytearray(data)
    local = info.header_offset
    assert blob[local : local + 4] == b"PK\x03\x04"
    name_len = struct.unpack_from("<H", blob, local + 26)[0]
    struct.pack_into("<I", blob, local + 22, size)
    # the zip64 extra field (written for force_zip64) carries the sizes: overwrite it too
    extra = local + 30 + name_len
    if struct.unpack_from("<H", blob, extra)[0] == 1:
        struct.pack_into("<Q", blob, extra + 4, size)
    pos = 0
    while True:
        pos = bytes(blob).find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n_len, x_len = struct.unpack_from("<HH", blob, pos + 28)
        entry_name = bytes(blob[pos + 46 : pos + 46 + n_len]).decode()
        if entry_name == name:
            if struct.unpack_from("<I", blob, pos + 24)[0] != 0xFFFFFFFF:
                struct.pack_into("<I", blob, pos + 24, size)
            x = pos + 46 + n_len
            end = x + x_len
            while x < end:
                tag, length = struct.unpack_from("<HH", blob, x)
                if tag == 1:
                    struct.pack_into("<Q", blob, x + 4, size)
                x += 4 + length
        pos += 4
    return bytes(blob)


def test_pictures_are_not_decompressed(tmp_path: Path) -> None:
    """A plan with a 64 MB picture (a bitmap compresses well) imports: pictures are never read."""
    with_picture = rezip(
        docx_bytes(PLAN_LINES),
        stream={"word/media/image1.bmp": (b"BM", b"\xff" * 4096, 64 * MB, b"")},
    )
    plan = parse_bytes(with_picture, name="with-picture.docx").plan
    assert len(plan.items) == 4


def billion_laughs() -> bytes:
    """A document.xml whose one entity would expand to a billion "lol"s (3 GB)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()


def test_entity_expansion_is_refused_and_the_libraries_would_not_expand_it() -> None:
    laughs = billion_laughs()
    with pytest.raises(PlanFormatError) as caught:
        parse_bytes(
            rezip(docx_bytes(PLAN_LINES), replace={"word/document.xml": laughs}), name="lol.docx"
        )
    assert "DTD" in str(caught.value)

    # Defence in depth: python-docx's own lxml parser does not resolve entities either.
    from docx.oxml.parser import parse_xml

    started = time.perf_counter()
    try:
        text = "".join(str(t) for t in parse_xml(laughs).itertext())
    except Exception as e:  # lxml's XMLSyntaxError: libxml2 2.11+ stops the amplification
        assert type(e).__name__ == "XMLSyntaxError" and "amplification" in str(e)
    else:
        assert "lollol" not in text
    assert time.perf_counter() - started < 1


# ---------------------------------------------------------------------------- 2. not a file


@pytest.mark.parametrize(
    ("case", "word"),
    [
        ("directory", "directory"),
        ("missing", "no such file"),
        ("empty", "empty"),
        ("huge", "limit is 20 MB"),
    ],
)
def test_what_is_not_a_plan_file_is_refused_at_once(tmp_path: Path, case: str, word: str) -> None:
    """In process; /dev/zero, /dev/urandom, a link to one and FIFOs are in the hardening run,
    in a child process with its memory limited (before the fix they ate all memory or hung)."""
    path = _not_a_file(tmp_path, case)
    started = time.perf_counter()
    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)
    assert word in str(caught.value)
    assert "\n" not in str(caught.value)
    assert time.perf_counter() - started < 2


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    result: list[BaseException | None] = []

    def read() -> None:
        try:
            parse_file(path)
            result.append(None)
        except PlanFormatError as e:
            result.append(e)

    reader = threading.Thread(target=read, daemon=True)  # a hang must not hang the suite
    reader.start()
    reader.join(timeout=5)
    assert result, "parse_file is still waiting on the FIFO"
    assert "FIFO" in str(result[0])


def _not_a_file(tmp_path: Path, case: str) -> Path:
    if case.startswith("/dev/"):
        return Path(case)
    path = tmp_path / f"{case}.txt"
    if case == "fifo":
        os.mkfifo(path)
    elif case == "link-to-zero":
        path.symlink_to("/dev/zero")
    elif case == "directory":
        path.mkdir()
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "huge":
        with path.open("wb") as f:  # real bytes, not a sparse file: 25 MB of plan text
            line = (PLAN_LINES[2] + "\n").encode()
            f.write(line * (25 * MB // len(line)))
    return path


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: no permission to deny")
def test_a_file_we_may_not_read_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", PLAN_TEXT.encode())
    path.chmod(0)
    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)
    assert "permission denied" in str(caught.value)


def test_a_file_just_over_the_limit_says_by_how_much(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(PlanFormatError) as caught:
        parse_file(big)
    assert "(20,971,521 bytes; the limit is 20 MB)" in str(caught.value)


# ---------------------------------------------------------------------------- 3. item 1000


def test_items_past_999_are_kept(
    tmp_path: Path, template_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["云溪市科技局2026年工作要点", "一、重点任务"] + [
        f"({n})推进第{n}项科技工作。(责任单位:局高新处)" for n in range(1, 1006)
    ]
    path = write(tmp_path, "long.txt", "\n".join(lines).encode())

    plan = parse_file(path).plan

    assert len(plan.items) == 1005
    assert [(i.seq, i.number, i.title) for i in plan.items[998:]] == [
        (n, f"({n})", f"推进第{n}项科技工作") for n in range(999, 1006)
    ]
    db = copy_db(template_db, tmp_path / "db")
    assert main(["--database", str(db), "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--database", str(db), "items", "--plan", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^1005\s+\(1005\)\s+推进第1005项科技工作", out, re.MULTILINE), out[-500:]
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT seq, number FROM items WHERE plan_id = 2 AND seq > 998 ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    assert rows == [(n, f"({n})") for n in range(999, 1006)]


# ---------------------------------------------------------------------------- 4. formulas


def test_xlsx_task_formulas_are_read_or_named_never_dropped_silently(tmp_path: Path) -> None:
    header: list[object] = ["序号", "工作任务", "牵头单位", "完成时限"]
    rows: list[list[object]] = [
        ["云溪市科技局2026年重点工作台账"],
        header,
        [1, "加快高新技术企业培育", "局高新处", "6月底"],
        [2, '="推进"&"科技金融结合"', "局资源配置处", "11月底"],
        [3, '=CONCATENATE("建设","高水平研发机构")', "局产学研处", "三季度"],
        [4, "=B3", "局办公室", "年底"],
        [5, "=VLOOKUP(A7,任务库!A:B,2,FALSE)", "局人事处", "年底"],
        [6, "=UPPER(B3)", "局人事处", "年底"],  # saved by Excel: its value is in the file
        [7, "深化科技体制改革", "=C3", "年底"],
    ]
    data = crafted_cached_value(xlsx_bytes(rows), "B8", "完善科技人才评价")

    plan = parse_bytes(data, name="台账.xlsx").plan

    assert [(i.number, i.title, [u.name for u in i.units]) for i in plan.items] == [
        ("1", "加快高新技术企业培育", ["局高新处"]),
        ("2", "推进科技金融结合", ["局资源配置处"]),
        ("3", "建设高水平研发机构", ["局产学研处"]),
        ("4", "加快高新技术企业培育", ["局办公室"]),
        ("6", "完善科技人才评价", ["局人事处"]),
        ("7", "深化科技体制改革", ["局高新处"]),
    ]
    [warning] = [w for w in plan.warnings if "formula" in w]
    assert "rows 7 " in warning and "VLOOKUP" in warning and "Excel" in warning


def test_xlsx_formula_without_a_value_in_another_column_is_named(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作任务", "牵头单位", "完成时限"],
        [1, "加快高新技术企业培育", "=INDEX(单位!A:A,3)", "6月底"],
    ]
    plan = parse_bytes(xlsx_bytes(rows), name="台账.xlsx").plan
    assert [i.title for i in plan.items] == ["加快高新技术企业培育"]
    assert any("cells C2" in w and "read as empty" in w for w in plan.warnings), plan.warnings


# ---------------------------------------------------------------------------- 5. encodings


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("big5", lambda: TRADITIONAL_TEXT.encode("big5")),
        ("cp950", lambda: TRADITIONAL_TEXT.encode("cp950")),
        ("big5-hkscs", lambda: TRADITIONAL_TEXT.encode("big5hkscs")),
        ("traditional-utf8", lambda: TRADITIONAL_TEXT.encode()),
        ("gb18030", lambda: PLAN_TEXT.encode("gb18030")),
        ("gbk", lambda: PLAN_TEXT.encode("gbk")),
        ("utf-8-bom", lambda: codecs.BOM_UTF8 + PLAN_TEXT.encode()),
        ("utf-16-le-bom", lambda: PLAN_TEXT.encode("utf-16")),
        ("utf-16-be-bom", lambda: codecs.BOM_UTF16_BE + PLAN_TEXT.encode("utf-16-be")),
        ("utf-16-le-no-bom", lambda: PLAN_TEXT.encode("utf-16-le")),
        ("traditional-utf-16", lambda: TRADITIONAL_TEXT.encode("utf-16")),
        (
            "mixed",
            lambda: (
                "\n".join(PLAN_LINES[:4]).encode()
                + b"\n"
                + "\n".join(PLAN_LINES[4:]).encode("gb18030")
                + b"\n"
            ),
        ),
    ],
)
def test_every_encoding_gives_the_same_plan(
    tmp_path: Path, name: str, make: Callable[[], bytes]
) -> None:
    expected = plan_shape(write(tmp_path, "utf8.txt", PLAN_TEXT.encode()))
    assert len(expected) == 4

    path = write(tmp_path, f"{name}.txt", make())

    assert plan_shape(path) == expected
    assert parse_file(path).plan.title == "云溪市科技局2026年工作要点"


def test_big5_was_read_as_gb18030_before() -> None:
    """Why the fix was needed: Big5 bytes decode without error as GB18030, into nonsense."""
    garbage = TRADITIONAL_TEXT.encode("big5").decode("gb18030")
    assert "工作要点" not in zhconv.convert(garbage, "zh-cn")


def test_mixed_encodings_are_named_in_the_review(tmp_path: Path) -> None:
    data = "\n".join(PLAN_LINES[:4]).encode() + b"\n" + "\n".join(PLAN_LINES[4:]).encode("gb18030")
    plan = parse_file(write(tmp_path, "mixed.txt", data)).plan
    assert any("lines 5, 6, 7" in w and "GB18030" in w for w in plan.warnings), plan.warnings


def test_stray_control_characters_are_dropped(tmp_path: Path) -> None:
    text = PLAN_TEXT.replace("净增", "净\x00增").replace("新增", "新\x07增")
    plan = parse_file(write(tmp_path, "nul.txt", text.encode())).plan
    expected = parse_file(write(tmp_path, "clean.txt", PLAN_TEXT.encode())).plan
    assert plan.items == expected.items


# ---------------------------------------------------------------------------- 6. re-import


def test_the_same_plan_in_another_encoding_leaves_the_plan_row_as_it_was(
    tmp_path: Path, template_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_db(template_db, tmp_path / "db")
    utf8 = write(tmp_path, "plan.txt", PLAN_TEXT.encode())
    gbk = write(tmp_path, "plan-gbk.txt", PLAN_TEXT.encode("gb18030"))
    as_docx = write(tmp_path, "plan.docx", docx_bytes(PLAN_LINES))
    assert main(["--database", str(db), "import", str(utf8), "--at", "2026-03-01T09:00"]) == 0

    def plans_rows() -> list[tuple[object, ...]]:
        conn = sqlite3.connect(db)
        try:
            return [tuple(r) for r in conn.execute("SELECT * FROM plans ORDER BY id")]
        finally:
            conn.close()

    before = plans_rows()
    for again in (gbk, as_docx):
        capsys.readouterr()
        status = main(["--database", str(db), "import", str(again), "--at", "2026-04-01T09:00"])
        out = capsys.readouterr().out
        assert status == 0
        assert out.startswith("Nothing changed"), out
        assert plans_rows() == before


# ---------------------------------------------------------------------------- 7. the database


@pytest.mark.parametrize("command", ["import", "digest", "invite leader"])
def test_database_naming_a_directory_is_one_line(tmp_path: Path, command: str) -> None:
    """A child process: the traceback came from aiosqlite's thread and `duban digest`."""
    folder = tmp_path / "data"
    folder.mkdir()
    env = {**_child_env(), "DUBAN_DATABASE": str(folder), "DUBAN_BOT_TOKEN": "123:ABC"}
    env["DUBAN_BOT_API_URL"] = "http://127.0.0.1:9"
    argv = command.split()
    if command == "import":
        argv.append(str(write(tmp_path, "p.txt", PLAN_TEXT.encode())))

    run = run_duban(argv, tmp_path, env=env, timeout=30)

    assert run.returncode == 2, run.stderr
    line = one_error_line(run.stderr)
    assert "directory" in line and str(folder) in line
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("case", "word"),
    [
        ("not-sqlite", "not an SQLite database"),
        ("parent-is-a-file", "Not a directory"),
        ("device", "not a regular file"),
    ],
)
def test_database_that_cannot_be_is_one_line(
    tmp_path: Path, case: str, word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if case == "not-sqlite":
        target = write(tmp_path, "notes.db", "会议记录\n".encode() * 100)
    elif case == "parent-is-a-file":
        target = write(tmp_path, "afile", b"x") / "sub" / "duban.db"
    else:
        target = Path("/dev/null")
    before = target.read_bytes() if target.is_file() else None

    status = main(["--database", str(target), "items"])

    assert status == 2
    assert word in one_error_line(capsys.readouterr().err)
    if before is not None:
        assert target.read_bytes() == before


def test_database_in_a_folder_that_does_not_exist_yet_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new" / "deeper" / "duban.db"
    assert main(["--database", str(db), "items"]) == 0
    assert db.is_file()


# ---------------------------------------------------------------------------- 8. hardening run


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], Path]
    expect: str  # "refuse", "import" or "either" (a readable plan: imported, or one clear line)
    word: str = ""  # what the refusal must say


def _file(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    return lambda d: write(d, name, data())


def _special(kind: str) -> Callable[[Path], Path]:
    return lambda d: _not_a_file(d, kind)


def _deep_tables(depth: int) -> bytes:
    cell = "<w:p><w:r><w:t>一、重点任务</w:t></w:r></w:p>"
    for _ in range(depth):
        cell = f"<w:tbl><w:tr><w:tc>{cell}</w:tc></w:tr></w:tbl><w:p/>"
    return rezip(docx_bytes(PLAN_LINES), replace={"word/document.xml": document_xml(cell)})


def _bomb_docx() -> bytes:
    unit = b"<w:p><w:r><w:t>A</w:t></w:r></w:p>"
    head = document_xml("").split(b"</w:body>")[0]
    return rezip(
        docx_bytes(PLAN_LINES),
        stream={"word/document.xml": (head, unit, 400 * MB, b"</w:body></w:document>")},
    )


def _bomb_xlsx() -> bytes:
    rows: list[list[object]] = [["序号", "工作任务", "牵头单位"], [1, "推进科技金融", "局高新处"]]
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    return rezip(
        xlsx_bytes(rows),
        stream={"xl/sharedStrings.xml": (head, b"<si><t>AAAAAAAA</t></si>", 400 * MB, b"</sst>")},
    )


def _media_bomb() -> bytes:
    return rezip(
        docx_bytes(PLAN_LINES),
        stream={"word/media/image1.bmp": (b"BM", b"\x00" * 4096, 400 * MB, b"")},
    )


def _many_members() -> bytes:
    """100,000 empty entries beside a real document: zipfile alone would spend 90 MB on them."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes(PLAN_LINES))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst,
    ):
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        for k in range(100_000):
            dst.writestr(f"customXml/extra{k}.xml", b"")
    return out.getvalue()


def _no_sheets() -> bytes:
    data = xlsx_bytes([["x"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = z.read("xl/workbook.xml").decode()
    workbook = re.sub(r"<sheets>.*?</sheets>", "<sheets/>", workbook)
    return rezip(data, replace={"xl/workbook.xml": workbook.encode()})


def _sparse_corners() -> bytes:
    """Two cells, A1 and XFD1048576: a 10 KB file whose grid is 17 billion cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "序号"
    sheet["B1"] = "工作任务"
    sheet["C1"] = "牵头单位"
    sheet["XFD1048576"] = "end"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _traversal() -> bytes:
    return rezip(docx_bytes(PLAN_LINES), add={"../../../../tmp/evil.xml": b"<a/>"})


def _long_line() -> bytes:
    # a page scraped without line breaks: 10 MB of plan prose on one line
    unit = "推进科技创新工作,加快建设区域科技创新中心;".encode()
    return "云溪市科技局2026年工作要点".encode() + unit * (10 * MB // len(unit))


def _mixed_encodings() -> bytes:
    return "\n".join(PLAN_LINES[:4]).encode() + b"\n" + "\n".join(PLAN_LINES[4:]).encode("gb18030")


def _random_bytes() -> bytes:
    return bytes((k * 7919 + 13) % 251 for k in range(64 * 1024))


def _odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def _zip_of_texts() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("plan.txt", PLAN_TEXT)
    return out.getvalue()


def _formula_xlsx() -> bytes:
    return xlsx_bytes(
        [
            ["序号", "工作任务", "牵头单位", "完成时限"],
            [1, '="推进"&"科技金融结合"', "局资源配置处", "11月底"],
            [2, "=VLOOKUP(A3,任务库!A:B,2,FALSE)", "局人事处", "年底"],
        ]
    )


CASES: list[Case] = [
    # decompression
    Case("zip-bomb.docx", _file("bomb.docx", _bomb_docx), "refuse", "limit"),
    Case("zip-bomb.xlsx", _file("bomb.xlsx", _bomb_xlsx), "refuse", "limit"),
    Case(
        "lying-header.docx",
        lambda d: write(
            d,
            "lying.docx",
            _lie_about_size(
                rezip(
                    docx_bytes(PLAN_LINES),
                    stream={"word/document.xml": (b"<!--", b"C" * 4096, 30 * MB, b"-->")},
                ),
                "word/document.xml",
                2048,
            ),
        ),
        "refuse",
        "damaged",
    ),
    Case("100,000 entries .docx", _file("many.docx", _many_members), "refuse", "entries"),
    Case("media-400MB.docx", _file("photo.docx", _media_bomb), "import"),
    Case("sparse-corners.xlsx", _file("corners.xlsx", _sparse_corners), "refuse", "rows"),
    # not a file
    Case("/dev/zero", _special("/dev/zero"), "refuse", "character device"),
    Case("/dev/urandom", _special("/dev/urandom"), "refuse", "character device"),
    Case("fifo", _special("fifo"), "refuse", "FIFO"),
    Case("symlink to /dev/zero", _special("link-to-zero"), "refuse", "character device"),
    Case("directory", _special("directory"), "refuse", "directory"),
    Case("missing file", _special("missing"), "refuse", "no such file"),
    Case("0-byte file", _special("empty"), "refuse", "empty"),
    Case("25 MB .txt", _special("huge"), "refuse", "limit is 20 MB"),
    # damaged or disguised Office files
    Case(
        "truncated.docx",
        _file("cut.docx", lambda: docx_bytes(PLAN_LINES)[:3000]),
        "refuse",
        "damaged",
    ),
    Case(".docx that is a .txt", _file("text.docx", lambda: PLAN_TEXT.encode()), "import"),
    Case("no-sheets.xlsx", _file("nosheets.xlsx", _no_sheets), "refuse", "no sheets"),
    Case("empty-sheets.xlsx", _file("blank.xlsx", lambda: xlsx_bytes([])), "refuse", "no sheet"),
    Case(
        "encrypted.docx (CFB)",
        _file("locked.docx", lambda: compound_file(["EncryptionInfo", "EncryptedPackage"])),
        "refuse",
        "password",
    ),
    Case(
        "legacy.doc",
        _file("old.doc", lambda: compound_file(["WordDocument", "1Table"])),
        "refuse",
        ".docx",
    ),
    Case("legacy.xls", _file("old.xls", lambda: compound_file(["Workbook"])), "refuse", ".xlsx"),
    Case(
        "plan.pdf",
        _file("plan.pdf", lambda: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" * 50),
        "refuse",
        "PDF",
    ),
    Case(
        "HTML saved as .doc",
        _file(
            "page.doc",
            lambda: (
                '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8">'
                "</head><body>"
                + "".join(f"<p>{line}</p>" for line in PLAN_LINES)
                + "</body></html>"
            ).encode(),
        ),
        "refuse",
        "HTML",
    ),
    Case(
        "MHTML saved as .doc",
        _file(
            "web.doc",
            lambda: (
                'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="----=_NextPart"\n\n'
                + PLAN_TEXT
            ).encode(),
        ),
        "refuse",
        "web archive",
    ),
    Case(
        "RTF saved as .doc",
        _file("rich.doc", lambda: b"{\\rtf1\\ansi " + PLAN_TEXT.encode() + b"}"),
        "refuse",
        "RTF",
    ),
    Case("OpenDocument .odt", _file("plan.odt", _odt), "refuse", "OpenDocument"),
    Case("zip of texts as .docx", _file("bundle.docx", _zip_of_texts), "refuse", "neither"),
    Case("path traversal member", _file("evil.docx", _traversal), "refuse", "no Office program"),
    Case(
        "malformed document.xml",
        _file(
            "broken.docx",
            lambda: rezip(
                docx_bytes(PLAN_LINES), replace={"word/document.xml": b"<w:document><<not xml"}
            ),
        ),
        "refuse",
        "damaged",
    ),
    Case(
        "billion laughs",
        _file(
            "lol.docx",
            lambda: rezip(docx_bytes(PLAN_LINES), replace={"word/document.xml": billion_laughs()}),
        ),
        "refuse",
        "DTD",
    ),
    Case(
        "tables nested 300 deep", _file("deep.docx", lambda: _deep_tables(300)), "refuse", "nested"
    ),
    Case(
        "image named .docx",
        _file("scan.docx", lambda: b"\x89PNG\r\n\x1a\n" + bytes(4096)),
        "refuse",
        "image",
    ),
    Case(
        "gzip named .txt",
        _file("plan.txt.gz.txt", lambda: b"\x1f\x8b\x08\x00" + bytes(512)),
        "refuse",
        "compressed",
    ),
    # text
    Case(
        "NUL-filled .txt",
        _file("nul.txt", lambda: PLAN_TEXT.encode() + b"\x00" * 4096),
        "refuse",
        "binary",
    ),
    Case(
        "control characters",
        _file("ctl.txt", lambda: bytes(range(1, 32)) * 400),
        "refuse",
        "binary",
    ),
    Case("random bytes", _file("noise.txt", _random_bytes), "refuse", "binary"),
    Case(
        "title only",
        _file("title.txt", lambda: PLAN_LINES[0].encode()),
        "refuse",
        "no numbered items",
    ),
    Case(
        "stray NULs in a plan",
        _file("stray.txt", lambda: PLAN_TEXT.replace("净增", "净\x00增").encode()),
        "import",
    ),
    Case("mixed encodings", _file("mixed.txt", _mixed_encodings), "import"),
    Case("Big5 plan", _file("big5.txt", lambda: TRADITIONAL_TEXT.encode("big5")), "import"),
    Case("10 MB single line", _file("oneline.txt", _long_line), "either"),
    Case("formula tasks .xlsx", _file("formulas.xlsx", _formula_xlsx), "import"),
]


@dataclass
class Outcome:
    case: Case
    run: Run
    changed: bool


def test_malformed_documents_hardening_run(
    tmp_path: Path, template_db: Path, figures: Figures
) -> None:
    """Each document through `duban import` in its own process against its own copy of a real
    database: a refusal is exit 2 with one line and the database unchanged; nothing hangs,
    nothing shows a traceback, no child takes more than 300 MB. (The processes are forked from
    one that has imported duban: see `ForkedDuban`.)"""
    servers: SimpleQueue[ForkedDuban] = SimpleQueue()
    started = [ForkedDuban(tmp_path) for _ in range(2)]
    for server in started:
        servers.put(server)

    def one(k: int, case: Case) -> Outcome:
        where = tmp_path / f"case{k:02d}"
        where.mkdir()
        db = copy_db(template_db, where / "db")
        path = case.make(where)
        before = db_state(db)
        server = servers.get()
        try:
            run = server.run(["--database", str(db), "import", str(path)], where, timeout=60)
        finally:
            servers.put(server)
        return Outcome(case, run, db_state(db) != before)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(lambda kc: one(*kc), enumerate(CASES)))
    finally:
        for server in started:
            server.close()

    with figures():
        print(f"\n{'document':<26} {'expect':<7} {'exit':>4} {'ms':>7} {'peak MB':>8}  stderr")
        for o in outcomes:
            line = (o.run.stderr.strip().splitlines() or [""])[-1]
            exit_shown = "hang" if o.run.returncode is None else str(o.run.returncode)
            print(
                f"{o.case.name[:26]:<26} {o.case.expect:<7} {exit_shown:>4} {o.run.ms:>7.0f} "
                f"{o.run.peak_mb:>8.1f}  {line[:110]}"
            )
    failures = []
    for o in outcomes:
        problem = _judge(o)
        if problem:
            failures.append(f"{o.case.name}: {problem}")
    assert len(CASES) >= 30
    assert not failures, "\n".join(failures)


def _judge(o: Outcome) -> str:
    run = o.run
    if run.returncode is None:
        return "hung (killed after 60 s)"
    if "Traceback" in run.stderr:
        return "traceback: " + run.stderr[-600:]
    if run.peak_mb >= 300:
        return f"peak memory {run.peak_mb:.0f} MB"
    refused = run.returncode == 2
    if o.case.expect == "import" or (o.case.expect == "either" and not refused):
        if run.returncode != 0 or run.stderr:
            return f"exit {run.returncode}, stderr {run.stderr[-600:]!r}"
        if not (run.stdout.startswith("Imported plan") and o.changed):
            return f"not imported: {run.stdout[:200]!r}"
        return ""
    if not refused:
        return f"exit {run.returncode}, stderr {run.stderr[-600:]!r}"
    lines = run.stderr.strip().splitlines()
    if len(lines) != 1 or not lines[0].startswith("duban: "):
        return f"stderr is not one line: {run.stderr[-600:]!r}"
    if o.case.word and o.case.word.lower() not in lines[0].lower():
        return f"{o.case.word!r} not in {lines[0]!r}"
    if o.changed:
        return "the database changed"
    if run.stdout:
        return f"stdout: {run.stdout[:200]!r}"
    return ""
