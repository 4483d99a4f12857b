"""Read a location list from CSV (UTF-8 or GBK) or xlsx; report every bad row; import all rows or none."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from forms.numbers import whole_number
from forms.workbooks import WorkbookRefused, open_workbook
from survey_app.i18n import N_

HEADERS = {
    "code": ("code", "编号", "代码", "地点编号"),
    "name": ("name", "名称", "地点", "地点名称"),
    "building": ("building", "楼栋", "楼号"),
    "entrance": ("floor/entrance", "entrance", "floor", "单元", "楼层", "单元/楼层", "入口"),
    "target": ("target", "目标", "目标样本量", "样本量"),
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_ROWS = 5000


@dataclass(frozen=True)
class LocationRow:
    """One checked location to add."""

    code: str
    name: str
    building: str = ""
    entrance: str = ""
    target: int | None = None


@dataclass
class ImportResult:
    rows: list[LocationRow] = field(default_factory=list)
    errors: list[tuple[int, str, dict[str, Any]]] = field(
        default_factory=list
    )  # (row number, message, params)
    note: tuple[str, dict[str, Any]] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode_csv(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) first, then GBK/GB18030 as Excel in Chinese saves it; None otherwise."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def read_table(filename: str, data: bytes) -> tuple[list[list[str]], ImportResult]:
    """The raw table (header first) from a .csv or .xlsx upload, plus any file-level problem."""
    result = ImportResult()
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data, result), result
    if name.endswith(".csv") or name.endswith(".txt"):
        text = decode_csv(data)
        if text is None:
            result.errors.append(
                (0, N_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) and try again."), {})
            )
            return [], result
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(text)):
                rows.append(row)
                if len(rows) > MAX_ROWS + 1:
                    result.errors.append((0, N_("At most %(max)s locations per file."), {"max": MAX_ROWS}))
                    return [], result
        except csv.Error:
            result.errors.append(
                (0, N_("The CSV file could not be read (a cell is too long or a quote is open)."), {})
            )
            return [], result
        return rows, result
    result.errors.append((0, N_("Upload a .csv or .xlsx file."), {}))
    return [], result


def _read_xlsx(data: bytes, result: ImportResult) -> list[list[str]]:
    """Every real row of the chosen sheet (not the row count the file declares), at most MAX_ROWS + 1."""
    unreadable: tuple[int, str, dict[str, Any]] = (0, N_("The file is not a readable .xlsx workbook."), {})
    try:
        book = open_workbook(data)
    except WorkbookRefused as exc:
        if exc.code == "not_xlsx":
            result.errors.append(unreadable)
        else:
            result.errors.append(
                (0, N_("The workbook unpacks to far more than a list of locations needs."), {})
            )
        return []
    try:
        names = book.sheetnames
        chosen = next((n for n in names if n.strip().lower() in ("locations", "地点", "地点清单")), names[0])
        if len(names) > 1:
            result.note = (
                N_("Read the sheet “%(sheet)s”; %(others)s other sheet(s) were ignored."),
                {"sheet": chosen, "others": len(names) - 1},
            )
        sheet = book[chosen]
        sheet.reset_dimensions()  # the declared <dimension> may lie: read until the rows really end
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True, max_col=50):
            rows.append(["" if v is None else _cell(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                result.errors.append((0, N_("At most %(max)s locations per file."), {"max": MAX_ROWS}))
                return []
        return rows
    except Exception:  # a damaged sheet fails while it is read (read-only mode parses lazily)
        result.errors.append(unreadable)
        return []
    finally:
        book.close()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:1000]


def parse_locations(table: list[list[str]], result: ImportResult, existing_codes: set[str]) -> ImportResult:
    """Check every row; any bad row means nothing is imported (the caller only imports when result.ok)."""
    rows = [r for r in table if any(cell.strip() for cell in r)]
    if not rows:
        if not result.errors:
            result.errors.append((0, N_("The file has no rows."), {}))
        return result
    header = [text.strip().lower() for text in rows[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, heading in enumerate(header):
            if heading in names:
                columns[key] = i
                break
    missing = [k for k in ("code", "name") if k not in columns]
    if missing:
        result.errors.append(
            (1, N_("The header row needs the columns code and name (or 编号 and 名称)."), {})
        )
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append((0, N_("At most %(max)s locations per file."), {"max": MAX_ROWS}))
        return result
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cell: dict[str, str] = {key: row[i].strip() if i < len(row) else "" for key, i in columns.items()}
        code, name = cell["code"], cell["name"]
        if not _CODE.match(code):
            result.errors.append(
                (number, N_("code “%(code)s” must be letters, digits, '-', '_' or '.'"), {"code": code})
            )
        elif code in seen:
            result.errors.append(
                (
                    number,
                    N_("code “%(code)s” is repeated (first on row %(first)s)"),
                    {"code": code, "first": seen[code]},
                )
            )
        elif code in existing_codes:
            result.errors.append(
                (number, N_("code “%(code)s” already exists in this campaign"), {"code": code})
            )
        seen.setdefault(code, number)
        if not name:
            result.errors.append((number, N_("name is empty"), {}))
        target = cell.get("target", "")
        wanted = whole_number(target, high=100_000)
        if target and wanted is None:
            result.errors.append(
                (number, N_("target “%(target)s” must be a whole number"), {"target": target})
            )
        result.rows.append(
            LocationRow(
                code=code,
                name=name[:200],
                building=cell.get("building", "")[:80],
                entrance=cell.get("entrance", "")[:80],
                target=wanted,
            )
        )
    return result


def generated(buildings: int, per_building: int, unit: str) -> list[LocationRow]:
    """Rows for "N buildings x M entrances (or floors)": codes B01-E01 (B01-F01), names 1号楼 1单元 (1层)."""
    label, letter = ("层", "F") if unit == "floor" else ("单元", "E")
    return [
        LocationRow(
            code=f"B{b:02d}-{letter}{e:02d}",
            name=f"{b}号楼 {e}{label}",
            building=f"{b}号楼",
            entrance=f"{e}{label}",
        )
        for b in range(1, buildings + 1)
        for e in range(1, per_building + 1)
    ]
