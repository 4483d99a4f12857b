"""Any instrument written as an XLSForm (survey, choices and settings sheets), so a form can go back to
ODK / KoboToolbox for fieldwork elsewhere; `forms.xlsform.read_xlsform` reads it back as the same
instrument."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from forms.schema import Instrument, Item, Label, Section
from forms.xlsform_sections import part_title
from forms.xpath import from_calculation, from_expression

ANCHORS = {
    "agreement": (
        ("非常不同意", "Strongly disagree"),
        ("不同意", "Disagree"),
        ("一般", "Neutral"),
        ("同意", "Agree"),
        ("非常同意", "Strongly agree"),
    ),
    "satisfaction": (
        ("非常不满意", "Very dissatisfied"),
        ("不满意", "Dissatisfied"),
        ("一般", "Neutral"),
        ("满意", "Satisfied"),
        ("非常满意", "Very satisfied"),
    ),
    "rating": (
        ("很差", "Poor"),
        ("较差", "Below standard"),
        ("一般", "Adequate"),
        ("较好", "Good"),
        ("很好", "Excellent"),
    ),
    "maturity": (
        ("未建立", "Not in place"),
        ("初步建立", "Started"),
        ("部分落实", "Partly in place"),
        ("全面落实", "In place"),
        ("落实并持续改进", "In place and improving"),
    ),
}
ZH, EN = "label::中文 (zh)", "label::English (en)"
TEXTS = ("label", "hint", "constraint_message", "required_message")
OURS = [
    "required",
    "relevant",
    "constraint",
    "dimension",
    "weight",
    "reverse",
    "pair",
    "covert",
    "na",
    "role",
]
OURS += ["format", "parameters", "choice_filter", "calculation", "repeat_count"]
TYPES = {"number": "decimal", "text": "text", "photo": "image", "time": "time", "note": "note"}
TYPES |= {"date": "date", "datetime": "datetime", "acknowledge": "acknowledge", "geopoint": "geopoint"}
TYPES |= {"calculate": "calculate"}


def write_xlsform(instrument: Instrument) -> bytes:
    """The instrument as an .xlsx XLSForm, every language it has under the name it came with."""
    languages = list(instrument.languages) or ["zh", "en"]

    def column(base: str, language: str) -> str:
        if language == "default":
            return base
        name = {"zh": "中文 (zh)", "en": "English (en)"}.get(language, language)
        return f"{base}::{name}"

    def texts(base: str, label: Label | None) -> dict[str, str]:
        if label is None:
            return {}
        return {column(base, lang): _in(label, lang) for lang in languages}

    columns = ["type", "name"] + [column(base, lang) for base in TEXTS for lang in languages] + OURS
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(columns)
    choices = book.create_sheet("choices")
    extra = sorted({name for item in instrument.items for o in item.options for name, _ in o.attrs})
    choices.append(["list_name", "name"] + [column("label", lang) for lang in languages] + extra)
    lists: set[str] = set()
    scale = "likert_" + instrument.scale
    multiple = frozenset(i.id for i in instrument.items if i.type == "multi")
    for section in instrument.sections:
        group = "repeat" if section.repeat else "group"
        row = {"type": f"begin {group}", "name": section.id, **texts("label", section.title)}
        if section.repeat_count is not None:  # a number, or ${question}
            count = section.repeat_count
            row["repeat_count"] = count if count.isdigit() else "${" + count + "}"
        ungrouped = _ungrouped(section)
        if not ungrouped:
            survey.append([row.get(c, "") for c in columns])
        for item in section.items:
            kind = _type(item, scale)
            list_name = kind.split(" ", 1)[1] if " " in kind else ""
            if list_name and list_name not in lists:
                lists.add(list_name)
                for value, label, attrs in _options(item, instrument.scale):
                    texts_in = [_in(label, lang) for lang in languages]
                    choices.append([list_name, value, *texts_in] + [dict(attrs).get(c, "") for c in extra])
            row = _item(item, kind, multiple)
            for base in TEXTS:
                row |= texts(base, getattr(item, base if base != "label" else "label", None))
            survey.append([row.get(c, "") for c in columns])
        if not ungrouped:
            survey.append([{"type": f"end {group}"}.get(c, "") for c in columns])
    settings = book.create_sheet("settings")
    intro = instrument.intro
    settings.append(
        ["form_id", "version", "form_title", "title_en", "intro_zh"]
        + ["intro_en", "kind", "scale", "default_language"]
    )
    default = instrument.default_language or "zh"
    settings.append(
        [instrument.id, str(instrument.version), instrument.title.zh, instrument.title.en]
        + [
            intro.zh if intro else "",
            intro.en if intro else "",
            instrument.kind,
            instrument.scale,
            {"zh": "中文 (zh)", "en": "English (en)"}.get(default, default),
        ]
    )
    if instrument.dimensions:
        dims = book.create_sheet("dimensions")  # our extension: the dimensions' labels, in order
        dims.append(["name", ZH, EN])
        for dim in instrument.dimensions:
            dims.append([dim.id, dim.label.zh, dim.label.en])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ungrouped(section: Section) -> bool:
    """A part the import made for questions outside any group ("s2", "第 2 部分"): written without a group,
    as it came, so that it reads back the same in every language the form has."""
    number = section.id[1:]
    if section.repeat or not section.id.startswith("s") or not number.isdigit():
        return False
    title = part_title(int(number))
    return section.title == Label(title["zh"], title["en"])


def _in(label: Label, language: str) -> str:
    """A label's text in one of the form's languages (zh and en from their fields)."""
    if language == "zh":
        return label.zh
    if language == "en":
        return label.en
    return label.exact(language)


def _type(item: Item, scale: str) -> str:
    if item.type == "likert5":
        return f"select_one {scale}"
    if item.type == "yesno":
        return "select_one yes_no"
    if item.type in ("single", "multi"):
        return ("select_one " if item.type == "single" else "select_multiple ") + f"{item.id}_options"
    if item.type == "number" and item.format in ("integer", "range"):
        return str(item.format)
    return TYPES[item.type]


def _options(item: Item, scale: str) -> list[tuple[str, Label, tuple[tuple[str, str], ...]]]:
    if item.type == "likert5":
        return [(str(n), Label(zh, en), ()) for n, (zh, en) in enumerate(ANCHORS[scale], start=1)]
    if item.type == "yesno":
        return [("yes", Label("是", "Yes"), ()), ("no", Label("否", "No"), ())]
    return [(o.value, o.label, o.attrs) for o in item.options]


def _item(item: Item, kind: str, multiple: frozenset[str] = frozenset()) -> dict[str, Any]:
    row: dict[str, Any] = {"type": kind, "name": item.id}
    row["required"] = "yes" if item.required and item.type != "note" else "no"
    if item.relevant:
        row["relevant"] = from_expression(item.relevant)
    bounds = []
    if item.format == "range":
        row["parameters"] = (
            f"start={_number(item.min or 0)} end={_number(item.max or 0)} step={_number(item.step or 1)}"
        )
    elif item.min is not None:
        bounds.append(f". >= {_number(item.min)}")
    if item.max is not None and item.format != "range":
        bounds.append(f". <= {_number(item.max)}")
    if item.max_length is not None:
        bounds.append(f"string-length(.) <= {item.max_length}")
    row["constraint"] = " and ".join(bounds)
    if item.dimension:
        row["dimension"] = item.dimension
    if item.weight != 1.0:
        row["weight"] = _number(item.weight)
    for key in ("reverse", "na"):
        if getattr(item, key):
            row[key] = "yes"
    if item.covert is not None:
        row["covert"] = "yes" if item.covert else "no"
    for key in ("pair", "role"):
        if getattr(item, key):
            row[key] = getattr(item, key)
    if item.format == "phone":
        row["format"] = "phone"
    if item.calculation:
        row["calculation"] = from_calculation(item.calculation)
        row["required"] = ""
    if item.choice_filter:  # after a multiple choice: one of the choices picked there
        row["choice_filter"] = " and ".join(
            f"selected(${{{question}}}, {column})" if question in multiple else f"{column} = ${{{question}}}"
            for column, question in item.choice_filter
        )
    return row


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
