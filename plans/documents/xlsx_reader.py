"""Reading an .xlsx: the first sheet with a plan table, as rows of cell texts.

Excel saves each formula's value beside it; files written by programs often do not. Such a
formula that only joins text (="推进"&B2, CONCATENATE) is worked out here (`_Formula`); any
other is never guessed at: it reads as empty (its row is left out when it holds the task) and
the import review names it. At most MAX_COLUMNS columns and MAX_ROWS rows of a sheet are read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from plans.documents.parser import PlanFormatError, find_header, parse_rows
from plans.model import Plan

# An .xlsx plan table has a dozen columns; nothing past this column is read.
MAX_COLUMNS = 200
MAX_ROWS = 20000


def parse_xlsx(data: bytes, stem: str, year: int | None) -> Plan:
    """The plan in an .xlsx (already checked by archives.safe_package): the first sheet with a
    plan table. `stem` is the file name without extension: the title when no cell above the
    header gives one."""
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
                _fill_merged(grid.rows, _merged_ranges(data, sheet))
            except PlanFormatError:
                raise
            except Exception as e:
                raise PlanFormatError(
                    f"sheet {sheet.title!r} cannot be read ({e.__class__.__name__}); "
                    "open the file in Excel or WPS and save it again"
                ) from None
            if find_header(grid.rows) is not None:
                rows, notes = grid.without_pending(sheet.title)
                title = _title_above_header(rows) or stem
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


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)"')


def _merged_ranges(data: bytes, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (first row, first column, last row, last column), from 0.
    openpyxl's read-only sheets do not keep them; the sheet's XML lists them."""
    path = getattr(sheet, "_worksheet_path", None)
    if not path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        try:
            xml = package.read(str(path).lstrip("/"))
        except KeyError:
            return []
    return [
        (int(r1) - 1, _column_index(c1), int(r2) - 1, _column_index(c2))
        for c1, r1, c2, r2 in (
            (a.decode(), b.decode(), c.decode(), d.decode()) for a, b, c, d in _MERGE.findall(xml)
        )
    ]


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _fill_merged(rows: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> None:
    """A cell merged over several rows belongs to each of them: Excel keeps the text in the
    first row only (a 责任单位 merged over three tasks is the unit of all three). Merged across
    columns it stays in its first column: a section row merged over the whole width is one cell."""
    for r1, c1, r2, _ in ranges:
        if r2 <= r1 or r1 >= len(rows) or c1 >= len(rows[r1]) or not rows[r1][c1]:
            continue
        text = rows[r1][c1]
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            if not row[c1]:
                row[c1] = text


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
