"""Plan tables written as text, turned into rows: delimited rows, a stream of cells, or rows
flattened to one line (`text_table`).

Tables reach duban as rows (.docx, .xlsx, pipe- or tab-delimited text) or, from scraped pages,
as a stream of cells: one cell per line (with or without a `|` line between cells), or rows
flattened to one line with spaces between the cells. A clerk reads such a stream by what each
cell is: a bare number in the 序号 column starts a row (and may skip numbers: a ledger of
selected items); unit names go to the unit columns, a time phrase to the 完成时限 column, a
person to 责任人; the header repeated inside the table is skipped; a cell that fits no column
(a stray number) is dropped. A row that fills only the right-hand columns continues the row
above it (its left cells were merged).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plans.deadlines import find_time_phrases
from plans.documents.columns import base_kind, column_kind, find_header
from plans.documents.unit_names import is_person_or_role
from plans.documents.units import looks_like_unit, split_units

_MULTI = {"lead", "support", "persons"}  # a cell per name may follow one another
_OPTIONAL = {"number", "score", "kind", "deadline", "lead", "support", "persons", "targets"}
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_NUMBER_CELL = re.compile(r"^[-+]?\d+(?:\.\d+)?%?$")
_ONGOING = re.compile(r"持续|长期|常态|经常性|全年|年终|每[年季月周]")
_DATE_CELL = re.compile(r"(?:19|20)\d{2}\s*[.\-/年]\s*\d{1,2}|\d{1,2}月")


def text_table(lines: Sequence[str]) -> list[list[str]] | None:
    """A table written as text: delimited rows, a stream of cells, or space-separated rows."""
    for sep in ("|", "\t"):
        rows = [_split_row(line, sep) for line in lines if sep in line and line.strip() != sep]
        if len(rows) >= 2 and find_header(rows) is not None:
            if sum(1 for line in lines if line.strip() == sep) > len(rows):
                break  # "|" on lines of its own separates cells: a stream, read below
            return _right_align(rows)
    stream = [line for line in lines if line.strip() != "|"]
    return _stream_table(stream) or _spaced_table(lines)


def _split_row(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.strip().strip(sep).split(sep)]


def _right_align(rows: list[list[str]]) -> list[list[str]]:
    """Rows shorter than the header lost their left cells to a merge: align them right."""
    found = find_header(rows)
    if found is None:
        return rows
    width = len(rows[found[0]])
    out: list[list[str]] = []
    for k, row in enumerate(rows):
        cells = list(row)
        while cells and not cells[-1]:
            cells.pop()
        if k > found[0] and 0 < len(cells) < width and not _BARE_NUMBER.match(cells[0]):
            cells = [""] * (width - len(cells)) + cells
        out.append(cells)
    return out


def _stream_table(lines: Sequence[str]) -> list[list[str]] | None:
    """One cell per line under a header written one cell per line."""
    for start in range(min(len(lines), 60)):
        header: list[str] = []
        k = start
        while k < len(lines) and column_kind(lines[k]) is not None and len(header) < 12:
            header.append(lines[k])
            k += 1
        if len(header) >= 3 and find_header([header]) is not None:
            return _assemble(header, lines[k:])
    return None


def _fits(cell: str, kind: str) -> bool:
    """Whether a cell can be in a column of this kind."""
    flat = re.sub(r"\s+", "", cell)
    if kind == "number":
        return bool(_BARE_NUMBER.match(flat))
    if kind == "score":
        return bool(_NUMBER_CELL.match(flat)) and float(flat.rstrip("%")) <= 100
    if kind == "kind":
        return len(flat) <= 4
    if kind in ("lead", "support", "lead2", "support2"):
        names = split_units(cell)
        return bool(names) and all(looks_like_unit(n) for n in names)
    if kind == "persons":
        parts = [p for p in re.split(r"[、,,;;\n]", cell) if p.strip()]
        return bool(parts) and all(is_person_or_role(p) for p in parts)
    if kind == "deadline":
        return len(flat) <= 60 and bool(
            _ONGOING.search(flat) or _DATE_CELL.search(flat) or find_time_phrases(flat, 2000)
        )
    if kind == "targets":
        return len(flat) <= 40
    # text columns take anything but a stray bare number
    return not _BARE_NUMBER.match(flat)


def _assemble(header: list[str], cells: Sequence[str]) -> list[list[str]]:
    """Rows from a stream of cells, each cell put in the column it fits."""
    kinds = [column_kind(h) or "text" for h in header]
    names = {re.sub(r"\s+", "", h) for h in header}
    cells = [c for c in cells if re.sub(r"\s+", "", c) not in names and column_kind(c) is None]
    starts = _row_numbers(cells, consecutive="number" not in kinds)
    if len(starts) >= 2 and ("number" in kinds or starts[0] <= len(kinds)):
        if "number" not in kinds:
            # a 序号 column without a header cell: as many columns before it as cells before "1"
            at = min(starts[0], len(kinds))
            kinds.insert(at, "number")
            header = [*header[:at], "序号", *header[at:]]
        return [header, *_merged_down(kinds, _numbered_rows(kinds, cells, starts))]
    return [header, *_merged_down(kinds, _unnumbered_rows(kinds, cells))]


def _merged_down(kinds: list[str], rows: list[list[str]]) -> list[list[str]]:
    """A cell missing from a unit column was merged with the one above it (the stream keeps a
    merged cell once): the row's units are those of the row above."""
    above: dict[int, str] = {}
    for row in rows:
        if sum(1 for c in row if c) < 2:
            continue  # a category or cut-off row
        for c, kind in enumerate(kinds):
            if base_kind(kind) != "lead" or c >= len(row):
                continue
            if row[c]:
                above[c] = row[c]
            elif c in above:
                row[c] = above[c]
    return rows


def _row_numbers(cells: Sequence[str], *, consecutive: bool) -> list[int]:
    """Where rows start: bare numbers that go up (a stray smaller number is not a row); without
    a 序号 header cell, only numbers that count 1, 2, 3… are row numbers."""
    starts: list[int] = []
    last = 0
    for i, c in enumerate(cells):
        if not _BARE_NUMBER.match(c):
            continue
        if (int(c) == last + 1) if consecutive else (int(c) > last):
            starts.append(i)
            last = int(c)
    return starts


def _numbered_rows(kinds: list[str], cells: Sequence[str], starts: list[int]) -> list[list[str]]:
    at = kinds.index("number")
    rows: list[list[str]] = []
    left = list(cells[: starts[0]])
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(cells)
        row, rest = _place(cells[i + 1 : end], kinds, at + 1)
        row[at] = cells[i]
        lead_in = left[-at:] if at else []
        for j, c in enumerate(lead_in):
            row[at - len(lead_in) + j] = c
        left = [c for c in rest if not _BARE_NUMBER.match(c)]
        rows.append(row)
    return rows


def _unnumbered_rows(kinds: list[str], cells: Sequence[str]) -> list[list[str]]:
    scored = len(kinds) > 1 and kinds[1] == "score"
    rows: list[list[str]] = []
    i = 0
    while i < len(cells):
        if scored and not (i + 1 < len(cells) and _fits(cells[i + 1], "score")):
            rows.append([cells[i]])  # a category cell spanning the rows below it
            i += 1
            continue
        row, rest = _place(cells[i:], kinds, 0, scored=scored)
        used = len(cells) - i - len(rest)
        if used == 0:
            i += 1  # a cell that fits nowhere (a stray number)
            continue
        rows.append(row)
        i += used
    return rows


def _place(
    cells: Sequence[str], kinds: list[str], col: int, *, scored: bool = False
) -> tuple[list[str], list[str]]:
    """Fill one row from `col` on; return it and the cells that did not fit."""
    width = len(kinds)
    row = [""] * width
    for i, cell in enumerate(cells):
        next_is_score = i + 1 < len(cells) and _fits(cells[i + 1], "score")
        if scored and col > 0 and i > 0 and next_is_score and not _fits(cell, "score"):
            return row, list(cells[i:])  # a name followed by a score starts the next row
        placed = False
        while col < width:
            kind = kinds[col]
            if kind == "number":
                col += 1
                continue
            if row[col] and base_kind(kind) in _MULTI and _fits(cell, kind):
                row[col] += "\n" + cell
                placed = True
                break
            if row[col]:
                col += 1
                continue
            fits = _fits(cell, kind)
            if scored and base_kind(kind) == "task":
                # in a scored table the column after the score holds figures, not unit names
                fits = not any(_fits(cell, k) for k in kinds[col + 1 :] if base_kind(k) == "lead")
            if fits:
                row[col] = cell
                multi = base_kind(kind) in _MULTI
                if not multi or (col + 1 < width and base_kind(kinds[col + 1]) in _MULTI):
                    col += 1
                placed = True
                break
            if base_kind(kind) in _OPTIONAL:
                col += 1
                continue
            break
        if placed:
            continue
        if _BARE_NUMBER.match(cell) and col < width:
            continue  # a stray number inside the row
        return row, list(cells[i:])
    return row, []


def _spaced_table(lines: Sequence[str]) -> list[list[str]] | None:
    """Rows flattened to one line, cells separated by spaces, under a header of the same kind."""
    for h, line in enumerate(lines[:60]):
        header = line.split()
        if len(header) < 4 or sum(1 for c in header if column_kind(c)) < len(header) - 1:
            continue
        if find_header([header]) is None:
            continue
        kinds = [column_kind(c) or "text" for c in header]
        rows = [header]
        for row_line in lines[h + 1 :]:
            m = re.match(r"^(\d{1,4}) (.*)$", row_line)
            if m is None:
                if len(rows) > 1:  # a row broken over two lines
                    rows[-1][-1] += row_line
                continue
            rows.append([m.group(1), *_spaced_cells(m.group(2), kinds[1:])])
        return rows if len(rows) > 1 else None
    return None


def _spaced_cells(rest: str, kinds: list[str]) -> list[str]:
    """Cells of a space-separated row: unit columns from the right, the sentence before them,
    the short cells before that (a cell broken by spaces is joined)."""
    tokens = rest.split(" ")
    out = [""] * len(kinds)
    k = len(kinds) - 1
    while k >= 0 and base_kind(kinds[k]) in ("lead", "support") and tokens:
        out[k] = tokens.pop()
        k -= 1
    # the longest sentence is the text column just left of the units
    if k >= 0 and tokens:
        sentence = max(
            range(len(tokens)),
            key=lambda i: (("。" in tokens[i]) or ("," in tokens[i]), len(tokens[i])),
        )
        out[k] = "".join(tokens[sentence:])
        tokens = tokens[:sentence]
        k -= 1
    # what is left fills the first columns; a one- or two-character token ends the cell before it
    groups: list[str] = []
    for t in tokens:
        if groups and t and len(t) <= 2 and groups[-1]:
            groups[-1] += t
        else:
            groups.append(t)
    if k >= 0:
        head = groups[: k + 1]
        if len(groups) > k + 1:
            head = [*groups[:k], "".join(groups[k:])]
        for j, g in enumerate(head):
            out[j] = g
    return out
