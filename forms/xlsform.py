"""XLSForm (the ODK / KoboToolbox / SurveyCTO format) read into our instrument format.

The `survey`, `choices` and `settings` sheets; types select_one, select_multiple, integer, decimal, text,
image, time, note; groups become sections; required, relevant (forms.xpath), constraints that map to min /
max / max_length; `label::中文 (zh)` / `label::English (en)` style translations and hints; extra columns for
our fields (dimension, weight, reverse, pair, covert, na, role, format). Every construct that cannot be mapped
is a problem with its sheet, row and column, all reported at once; display-only columns we ignore
(appearance, media) are notes. The result is validated by forms.loader like any instrument file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forms.loader import parse_instrument
from forms.numbers import whole_number
from forms.problems import Problem
from forms.schema import Instrument
from forms.workbooks import WorkbookRefused, open_workbook
from forms.xlsform_items import label_columns, question, text_of

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 200  # a cell far to the right must not make every row 16,384 cells wide
OUR_COLUMNS = ("dimension", "weight", "reverse", "pair", "covert", "na", "role", "format")
IGNORED_PREFIXES = (
    "appearance",
    "media::",
    "image",
    "audio",
    "video",
    "guidance_hint",
    "body::",
    "parameters",
)
SURVEY_KNOWN = {"type", "name", "label", "hint", "required", "required_message", "relevant", "constraint"}
SURVEY_KNOWN |= {"constraint_message", "choice_filter", "default", "read_only", "calculation", *OUR_COLUMNS}


@dataclass
class Imported:
    instrument: Instrument | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    definition: dict[str, Any] | None = None


class _Sheet:
    def __init__(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        self.name = name
        header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else ())]
        self.columns = header
        self.rows = rows[1:]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        out = []
        for n, row in enumerate(self.rows, start=2):
            record = {
                self.columns[j]: _cell(v)
                for j, v in enumerate(row)
                if j < len(self.columns) and self.columns[j]
            }
            if any(record.values()):
                out.append((n, record))
        return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsform(data: bytes, *, source: str = "form.xlsx") -> Imported:
    """Read an XLSForm workbook; return the instrument, or every problem (and notes on what was ignored)."""
    out = Imported(None)

    def problem(where: str, reason: str) -> None:
        out.problems.append(Problem(source, where, reason))

    if len(data) > MAX_BYTES:
        problem("(file)", f"the file is over {MAX_BYTES // 1024 // 1024} MB; a form is much smaller")
        return out
    try:
        book = open_workbook(data)
    except WorkbookRefused as exc:
        if exc.code == "too_large" or exc.code == "too_many_parts":
            problem("(file)", f"the workbook unpacks to far more than a form needs ({exc})")
        else:
            problem("(file)", "not an .xlsx workbook (save the form as Excel 2007+ .xlsx)")
        return out
    sheets: dict[str, _Sheet] = {}
    for name in book.sheetnames:
        rows = []
        for n, row in enumerate(book[name].iter_rows(values_only=True, max_col=MAX_COLUMNS)):
            if n > MAX_ROWS:
                problem(f"{name}", f"more than {MAX_ROWS} rows")
                break
            rows.append(tuple(row))
        sheets[name.strip().lower()] = _Sheet(name, rows)
    book.close()
    if "survey" not in sheets:
        problem("(file)", "no 'survey' sheet")
        return out
    settings = (
        dict(sheets["settings"].records()[0][1])
        if "settings" in sheets and sheets["settings"].records()
        else {}
    )
    choices = _choices(sheets.get("choices"), problem)
    for name, sheet in sheets.items():
        if name not in ("survey", "choices", "settings", "dimensions"):
            out.notes.append(
                Problem(
                    source, sheet.name, "sheet ignored (only survey, choices, settings, dimensions are read)"
                )
            )
    definition = _survey(sheets["survey"], choices, settings, problem, out, source)
    _dimension_labels(sheets.get("dimensions"), definition, problem)
    _pyxform_check(data, out, source)
    if out.problems:
        return out
    instrument, problems = parse_instrument(definition, source=source)
    out.problems += problems
    out.instrument, out.definition = instrument, definition
    return out


def _choices(sheet: _Sheet | None, problem: Any) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    if sheet is None:
        return lists
    cols = label_columns(sheet.columns, "label")
    extra = [
        c
        for c in sheet.columns
        if c and c not in ("list_name", "list name", "name") and not c.startswith("label")
    ]
    for column in extra:
        if not column.startswith(IGNORED_PREFIXES):
            problem(
                f"choices!{column}",
                f"column {column!r} is not supported (cascading choices need choice_filter)",
            )
    for n, record in sheet.records():
        list_name = record.get("list_name") or record.get("list name", "")
        name = record.get("name", "")
        label = text_of(record, cols)
        if not list_name or not name or label is None:
            problem(f"choices!row {n}", "a choice needs list_name, name and a label")
            continue
        lists.setdefault(list_name, []).append({"value": name, "label": label})
    return lists


def _survey(
    sheet: _Sheet,
    choices: dict[str, list[dict[str, Any]]],
    settings: dict[str, str],
    problem: Any,
    out: Imported,
    source: str,
) -> dict[str, Any]:
    labels, hints = label_columns(sheet.columns, "label"), label_columns(sheet.columns, "hint")
    for column in sheet.columns:
        head = column.split("::", 1)[0]
        if not column or head in SURVEY_KNOWN:
            continue
        if column.startswith(IGNORED_PREFIXES):
            out.notes.append(
                Problem(source, f"survey!{column}", "display setting ignored (not needed on our pages)")
            )
        else:
            problem(f"survey!{column}", f"column {column!r} is not supported")
    sections: list[dict[str, Any]] = []
    dimensions: dict[str, dict[str, Any]] = {}
    types: dict[str, str] = {}
    current: dict[str, Any] | None = None
    depth = 0
    for n, record in sheet.records():
        where = f"survey!row {n}"
        kind = " ".join(record.get("type", "").split())
        if kind in ("begin group", "begin_group"):
            depth += 1
            if depth == 1:
                title = text_of(record, labels) or {
                    "zh": record.get("name") or f"第 {len(sections) + 1} 部分"
                }
                current = {
                    "id": _section_id(record.get("name", ""), len(sections)),
                    "title": title,
                    "items": [],
                }
                sections.append(current)
            else:
                out.notes.append(
                    Problem(source, where, "a group inside a group is merged into the outer section")
                )
            _unsupported_cells(record, ("relevant",), where, problem, "a group's")
            continue
        if kind in ("end group", "end_group"):
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
            continue
        if not kind:
            problem(f"{where}, column type", "no type")
            continue
        item = question(record, kind, choices, labels, hints, types, where, problem)
        if item is None:
            continue
        for key in ("dimension",):
            if item.get(key):
                dimensions.setdefault(item[key], {"id": item[key], "label": {"zh": item[key]}})
        types[item["id"]] = item["type"]
        if current is None:
            current = {
                "id": _section_id("", len(sections)),
                "title": {"zh": f"第 {len(sections) + 1} 部分", "en": f"Part {len(sections) + 1}"},
                "items": [],
            }
            sections.append(current)
        current["items"].append(item)
    if depth:
        problem("survey", "a 'begin group' has no matching 'end group'")
    sections = [s for s in sections if s["items"]]
    title = _settings_label(settings, "form_title") or {"zh": settings.get("form_id") or "导入的问卷"}
    if settings.get("title_en") and not title.get("en"):  # our extension: form_title has no translations
        title["en"] = settings["title_en"]
    raw_id = (settings.get("form_id") or re.sub(r"\.xlsx$", "", source.rsplit("/", 1)[-1])).lower()
    form_id = re.sub(r"[^a-z0-9-]+", "-", raw_id.replace("_", "-")).strip("-")[:80] or "imported-form"
    if not re.match(r"^[a-z]", form_id):
        form_id = f"form-{form_id}"
    version_text = settings.get("version", "1")
    version = whole_number(version_text, low=1, high=2**31 - 1)
    if version is None:
        problem("settings!version", f"version must be a whole number (got {version_text[:40]!r})")
        version = 1
    definition: dict[str, Any] = {
        "id": form_id,
        "version": version,
        "kind": settings.get("kind", "survey") or "survey",
        "title": title,
        **({"intro": intro} if (intro := _intro(settings)) else {}),
        "dimensions": list(dimensions.values()),
        "sections": sections,
    }
    if settings.get("scale"):
        definition["scale"] = settings["scale"]
    return definition


def _pyxform_check(data: bytes, out: Imported, source: str) -> None:
    """The reference converter's verdict: its errors are problems (the form would not run in ODK either),
    its warnings are notes. It does not know our extra columns and does not check our scoring rules."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    try:
        convert(xlsform=data, file_type=".xlsx", warnings=warnings)
    except PyXFormError as exc:
        out.problems.append(Problem(source, "pyxform", str(exc)[:300]))
    except Exception as exc:  # noqa: BLE001 - a crash inside pyxform is not the form's fault
        out.notes.append(Problem(source, "pyxform", f"could not check the form ({type(exc).__name__})"))
    for warning in warnings[:20]:
        out.notes.append(Problem(source, "pyxform", str(warning)[:300]))


def _dimension_labels(sheet: _Sheet | None, definition: dict[str, Any], problem: Any) -> None:
    """Our `dimensions` sheet: labels and order of the dimensions the questions feed."""
    if sheet is None:
        return
    cols = label_columns(sheet.columns, "label")
    used = {d["id"]: d for d in definition["dimensions"]}
    ordered = []
    for n, record in sheet.records():
        name, label = record.get("name", ""), text_of(record, cols)
        if not name or label is None:
            problem(f"dimensions!row {n}", "a dimension needs a name and a label")
            continue
        ordered.append({"id": name, "label": label})
        used.pop(name, None)
    definition["dimensions"] = ordered + list(used.values())


def _intro(settings: dict[str, str]) -> dict[str, str] | None:
    """Our extension: the form's introduction in `intro_zh` / `intro_en` settings columns."""
    zh, en = settings.get("intro_zh", ""), settings.get("intro_en", "")
    return {"zh": zh or en, "en": en} if zh or en else None


def _settings_label(settings: dict[str, str], base: str) -> dict[str, str] | None:
    cols = label_columns(list(settings), base)
    return text_of(settings, cols)


def _section_id(name: str, n: int) -> str:
    clean = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return clean if clean and clean[0].isalpha() else f"s{n + 1}"


def _unsupported_cells(
    record: dict[str, str], keys: tuple[str, ...], where: str, problem: Any, whose: str
) -> None:
    for key in keys:
        if record.get(key):
            problem(f"{where}, column {key}", f"{whose} {key} is not supported (put it on each question)")
