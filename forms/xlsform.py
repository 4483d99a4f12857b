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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.loader import parse_instrument
from forms.numbers import whole_number
from forms.problems import Problem
from forms.schema import Instrument
from forms.workbooks import WorkbookRefused, open_workbook
from forms.xlsform_items import label_columns, languages_of, text_of
from forms.xlsform_media import media_lists
from forms.xlsform_sections import read_sections
from forms.xlsform_sheets import Sheet, cell_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # rows with something in them; blank formatted rows do not count
BLANK_RUN = 1000  # this many empty rows in a row: the rest of the sheet is formatting
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
)
SURVEY_KNOWN = {"type", "name", "label", "hint", "required", "required_message", "relevant", "constraint"}
SURVEY_KNOWN |= {"constraint_message", "choice_filter", "default", "read_only", "calculation", *OUR_COLUMNS}
SURVEY_KNOWN |= {"parameters", "repeat_count"}


@dataclass
class Imported:
    instrument: Instrument | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    definition: dict[str, Any] | None = None
    dropped: list[Problem] = field(default_factory=list)  # without_unsupported: what was left out, by row


def read_xlsform(
    data: bytes,
    *,
    source: str = "form.xlsx",
    without_unsupported: bool = False,
    media: Mapping[str, bytes] | None = None,
) -> Imported:
    """Read an XLSForm workbook; return the instrument, or every problem (and notes on what was ignored).
    `media` are the files the form comes with, by name (the CSV lists of select_one_from_file).

    With `without_unsupported` (the lead's "import without it"), a problem confined to one row of the
    survey sheet leaves that part out instead (the row's question, or the column of it we cannot honour) and
    is listed in `dropped`; problems with the workbook, its sheets or its choices still refuse the form."""
    out = Imported(None)

    def problem(where: str, reason: str) -> None:
        if without_unsupported and where.startswith("survey!row"):
            out.dropped.append(Problem(source, where, reason))
        else:
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
    sheets: dict[str, Sheet] = {}
    for name in book.sheetnames:
        rows: list[tuple[Any, ...]] = []
        filled, blank_run = 0, 0
        for row in book[name].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if not any(cell_text(v) for v in row):
                blank_run += 1
                if blank_run > BLANK_RUN:  # formatted but empty to the sheet's end (65,536 rows in old Excel)
                    break
                rows.append(tuple(row))
                continue
            blank_run = 0
            filled += 1
            if filled > MAX_ROWS:
                problem(f"{name}", f"more than {MAX_ROWS} rows with something in them")
                break
            rows.append(tuple(row))
        sheets[name.strip().lower()] = Sheet(name, rows)
    book.close()
    if "survey" not in sheets:
        problem("(file)", "no 'survey' sheet")
        return out
    settings = (
        dict(sheets["settings"].records()[0][1])
        if "settings" in sheets and sheets["settings"].records()
        else {}
    )

    def note(where: str, reason: str) -> None:
        out.notes.append(Problem(source, where, reason))

    choices = _choices(sheets.get("choices"), problem, note) | media_lists(media or {}, problem)
    for name, sheet in sheets.items():
        if name not in ("survey", "choices", "settings", "dimensions"):
            out.notes.append(
                Problem(
                    source, sheet.name, "sheet ignored (only survey, choices, settings, dimensions are read)"
                )
            )
    definition = _survey(sheets["survey"], choices, settings, problem, out, source)
    _dimension_labels(sheets.get("dimensions"), definition, problem)
    if not without_unsupported:  # ODK's verdict on the whole form (parts we leave out are ours to judge)
        _pyxform_check(data, out, source)
    if out.problems:
        return out
    instrument, problems = parse_instrument(definition, source=source)
    out.problems += problems
    out.instrument, out.definition = instrument, definition
    return out


def _choices(sheet: Sheet | None, problem: Any, note: Any) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    if sheet is None:
        return lists
    cols = label_columns(sheet.columns, "label")
    extra = [
        c
        for c in sheet.columns
        if c and c not in ("list_name", "list name", "name") and not c.startswith("label")
    ]
    kept = [c for c in extra if not c.startswith(IGNORED_PREFIXES)]  # cascading selects filter on these
    for n, record in sheet.records():
        list_name = record.get("list_name") or record.get("list name", "")
        name = record.get("name", "")
        label = text_of(record, cols)
        if not list_name or not name or label is None:
            problem(f"choices!row {n}", "a choice needs list_name, name and a label")
            continue
        attrs = {c: record[c] for c in kept if record.get(c)}
        lists.setdefault(list_name, []).append(
            {"value": name, "label": label, **({"attrs": attrs} if attrs else {})}
        )
    return lists


def _survey(
    sheet: Sheet,
    choices: dict[str, list[dict[str, Any]]],
    settings: dict[str, str],
    problem: Any,
    out: Imported,
    source: str,
) -> dict[str, Any]:
    for column in sheet.columns:
        head = column.split("::", 1)[0]
        if not column or head in SURVEY_KNOWN:
            continue
        if column.startswith(IGNORED_PREFIXES):
            out.notes.append(
                Problem(source, f"survey!{column}", "display setting ignored (not needed on our pages)")
            )
        else:  # pyxform passes unknown columns through; we say that we do not use them
            out.notes.append(
                Problem(source, f"survey!{column}", f"column {column!r} ignored (not used here)")
            )
    sections, dimensions = read_sections(
        sheet, choices, settings.get("kind", "survey") or "survey", problem, out.notes.append, source
    )
    stem = re.sub(r"\.xls[xm]?$", "", source.rsplit("/", 1)[-1], flags=re.I)
    title = _settings_label(settings, "form_title") or {"zh": settings.get("form_id") or stem or "导入的问卷"}
    if settings.get("title_en") and not title.get("en"):  # our extension: form_title has no translations
        title["en"] = settings["title_en"]
    raw_id = (settings.get("form_id") or re.sub(r"\.xlsx$", "", source.rsplit("/", 1)[-1])).lower()
    form_id = re.sub(r"[^a-z0-9-]+", "-", raw_id.replace("_", "-")).strip("-")[:80] or "imported-form"
    if not re.match(r"^[a-z]", form_id):
        form_id = f"form-{form_id}"
    version_text = settings.get("version", "1") or "1"
    version = whole_number(version_text, low=1, high=2**31 - 1)
    if version is None:  # ODK allows any text (2024051514, 20240515143545, v1.2): ours are small numbers
        out.notes.append(
            Problem(
                source,
                "settings!version",
                f"version {version_text[:40]!r} is the form's own label; Mingcha stores it as version 1 "
                "(upload a changed form with a whole-number version to number it yourself)",
            )
        )
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
    languages = languages_of(sheet.columns)
    if languages:  # every language kept under its own name, the form's default first to be shown
        definition["languages"] = languages
        default = settings.get("default_language", "")
        definition["default_language"] = default if default in languages else languages[0]
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


def _dimension_labels(sheet: Sheet | None, definition: dict[str, Any], problem: Any) -> None:
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
