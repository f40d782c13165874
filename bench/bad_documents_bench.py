"""Documents at the importer's limits: how long `duban parse` takes and how much memory.

    python bench/bad_documents_bench.py [--quick]

The suite's hardening run (tests/test_bad_documents.py) shows that malformed documents are
refused in one line within 300 MB. This shows the other side: documents as large and as heavy
as the limits of plans/documents/archives.py let through — a 10 MB word/document.xml, XML parts at the
12 MB total, a 20 MB text plan, a 10 MB line — and bombs far past them. Each runs as its own
`duban parse` process, started by a small launcher so that the child's peak RSS (ru_maxrss)
is its own. With --quick the 20 MB text plan and the 1 GB picture are left out.

Exit status 0 when every document came out as expected (parsed, or refused in one line),
whatever the figures; 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import openpyxl  # noqa: E402

MB = 1024 * 1024
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TITLE = "云溪市科技局2026年工作要点"

_LAUNCHER = """
import os, resource, sys
report, argv = sys.argv[1], sys.argv[2:]
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run(path: Path, work: Path) -> tuple[int, float, float, str]:
    """(exit status, seconds, peak MB, last stderr line) of `duban parse PATH`."""
    script = shutil.which("duban", path=str(Path(sys.executable).parent)) or "duban"
    report = work / "rusage"
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DUBAN_")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), script, "parse", str(path)],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - start
    status, maxrss = (int(v) for v in report.read_text().split())
    line = (done.stderr.strip().splitlines() or [""])[-1]
    return status, seconds, maxrss / 1024, line


def docx_with(parts: dict[str, bytes], stream: tuple[str, bytes, int] | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    base = io.BytesIO()
    document.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            if stream is None or name != stream[0]:
                dst.writestr(name, parts.get(name, src.read(name)))
        if stream is not None:
            name, unit, size = stream
            with dst.open(name, "w", force_zip64=True) as member:
                chunk = unit * (MB // len(unit))
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return out.getvalue()


def document_xml(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


def paragraph(text: str, rng: random.Random) -> str:
    """A paragraph as Word writes one: revision ids, spacing, a run with its font size."""
    return (
        f'<w:p w:rsidR="{rng.getrandbits(32):08X}"><w:pPr><w:spacing w:line="560"/></w:pPr>'
        f'<w:r><w:rPr><w:sz w:val="32"/></w:rPr><w:t>{text}</w:t></w:r></w:p>'
    )


def realistic_docx(limit: int) -> bytes:
    rng = random.Random(1)
    parts = [paragraph(TITLE, rng), paragraph("一、重点任务", rng)]
    size, n = 0, 0
    while True:
        n += 1
        p = paragraph(f"({n})推进第{n}项科技创新工作,完成年度目标任务。(责任单位:局高新处)", rng)
        if size + len(p.encode()) > limit:
            break
        parts.append(p)
        size += len(p.encode())
    return docx_with({"word/document.xml": document_xml("".join(parts))})


def heavy_docx() -> bytes:
    """As many lxml elements as the limits allow: one character per run, 9.9 MB, and a
    styles part taking most of the rest of the 12 MB."""
    rng = random.Random(2)
    body, size = [], 0
    while size < int(9.9 * MB) - 300:
        p = f"<w:p><w:r><w:t>{chr(0x4E00 + rng.randrange(20000))}</w:t></w:r></w:p>"
        body.append(p)
        size += len(p.encode())
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:styles xmlns:w="{W_NS}">'
        + "".join(
            f'<w:style w:type="paragraph" w:styleId="s{k}"><w:name w:val="s{k}"/>'
            f'<w:rPr><w:sz w:val="{k % 40}"/></w:rPr></w:style>'
            for k in range(13000)
        )
        + "</w:styles>"
    ).encode()
    return docx_with({"word/document.xml": document_xml("".join(body)), "word/styles.xml": styles})


def ledger_xlsx(rows: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE + "台账"])
    sheet.append(["序号", "工作任务", "牵头单位", "配合单位", "完成时限"])
    for k in range(1, rows + 1):
        sheet.append(
            [k, f"推进第{k}项科技创新工作,完成年度目标任务", "局高新处", "局办公室", "6月底前"]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def text_plan(limit: int) -> bytes:
    lines = [TITLE, "一、重点任务"]
    size, k = 0, 0
    while size < limit - 200:
        k += 1
        line = f"{k}.推进第{k}项科技创新工作,完成年度目标任务。(责任单位:局高新处,6月底前完成)"
        lines.append(line)
        size += len(line.encode()) + 1
    return "\n".join(lines[:-1]).encode()


def one_line(limit: int) -> bytes:
    unit = "推进科技创新工作,加快建设区域科技创新中心;".encode()
    return TITLE.encode() + unit * (limit // len(unit))


# name, file name, builder, expected outcome ("parse" or "refuse")
CASES: list[tuple[str, str, Callable[[], bytes], str, bool]] = [
    (
        "document.xml 9.9 MB, realistic",
        "real.docx",
        lambda: realistic_docx(int(9.9 * MB)),
        "parse",
        True,
    ),
    ("XML parts 11.4 MB, heaviest", "heavy.docx", heavy_docx, "either", True),
    ("ledger .xlsx, 12,000 rows", "ledger.xlsx", lambda: ledger_xlsx(12000), "parse", True),
    ("text plan, 20 MB", "plan.txt", lambda: text_plan(20 * MB), "parse", False),
    ("one line of 10 MB", "line.txt", lambda: one_line(10 * MB), "either", True),
    (
        "document.xml bomb, 1 GB",
        "bomb.docx",
        lambda: docx_with({}, ("word/document.xml", b"<w:p/>", 1024 * MB)),
        "refuse",
        True,
    ),
    (
        "picture of 1 GB",
        "picture.docx",
        lambda: docx_with(
            {
                "word/document.xml": document_xml(
                    paragraph("(一)推进科技金融。(责任单位:局高新处)", random.Random(3))
                )
            },
            ("word/media/image1.bmp", b"\0" * 4096, 1024 * MB),
        ),
        "parse",
        False,
    ),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the slowest documents")
    args = parser.parse_args()
    wrong = 0
    print(f"{'document':<34} {'file':>9} {'exit':>4} {'s':>6} {'peak MB':>8}  stderr")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, file_name, build, expect, quick in CASES:
            if args.quick and not quick:
                continue
            path = work / file_name
            path.write_bytes(build())
            status, seconds, peak, line = run(path, work)
            ok = (
                (expect == "parse" and status == 0)
                or (expect == "refuse" and status == 2)
                or (expect == "either" and status in (0, 2))
            )
            wrong += not ok
            size = path.stat().st_size
            shown = f"{size / MB:.1f} MB" if size >= MB else f"{size // 1024} KB"
            print(
                f"{name:<34} {shown:>9} {status:>4} {seconds:>6.1f} {peak:>8.0f}  {line[:90]}"
                + ("" if ok else f"  WRONG: expected {expect}")
            )
            path.unlink()
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
