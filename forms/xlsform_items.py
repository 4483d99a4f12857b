"""One row of an XLSForm's survey sheet as one of our items: types, labels and their translations,
required, relevant (forms.xpath), constraints and our extra columns; what cannot be mapped is reported."""

from __future__ import annotations

import re
from typing import Any

from forms.xpath import XPathError, to_calculation, to_expression

TYPES = {
    "integer": "number",  # with format: integer (a whole number), so that it stays integer on export
    "decimal": "number",
    "text": "text",
    "image": "photo",
    "time": "time",
    "note": "note",
    "date": "date",
    "datetime": "datetime",
    "acknowledge": "acknowledge",
    "range": "number",  # with format: range and its parameters as min, max and step
    "geopoint": "geopoint",
    "calculate": "calculate",
}
UNSUPPORTED_TYPES = {
    "geotrace", "geoshape", "barcode", "audio", "video",
    "file", "rank", "hidden",
    "xml-external", "csv-external", "integer_range",
    "select_one_external", "osm",
}  # fmt: skip
# rows that describe the submission rather than ask anything (Kobo adds start, end, today, deviceid... to
# every new form): what we record anyway is said so, the rest is noted as ignored; never refused
METADATA = {
    "start": "recorded: when the form was opened",
    "end": "recorded: when it was submitted",
    "today": "recorded: the day of submission",
    "deviceid": "recorded: the phone's own client id",
    "imei": "recorded: the phone's own client id",
    "username": "recorded for auditors: the account that entered it",
    "audit": "ignored: per-item answer times are recorded instead",
    "simserial": "ignored: never collected",
    "subscriberid": "ignored: never collected",
    "phonenumber": "ignored: a phone number is asked for only with consent",
    "email": "ignored: never collected",
    "start-geopoint": "ignored: a position is recorded only by auditors who ask for it",
    "background-audio": "ignored: never recorded",
    "background-geopoint": "ignored: a position is recorded only by auditors who ask for it",
    "instanceid": "recorded: every response has its own receipt",
}
ALIASES = {
    "string": "text",
    "int": "integer",
    "photo": "image",
    "gps": "geopoint",
    "location": "geopoint",
    "datetime": "datetime",
    "begin_group": "begin group",
    "end_group": "end group",
    "begin_repeat": "begin repeat",
    "end_repeat": "end repeat",
    "begin_repeat_group": "begin repeat",
    "select_one_external": "select_one_external",
    "q picture": "image",
    # pyxform's older spellings ("add ... prompt", "q ...") of the types we take
    "trigger": "acknowledge", "add acknowledge prompt": "acknowledge", "q acknowledge": "acknowledge",
    "add calculate prompt": "calculate", "q calculate": "calculate",
    "add date prompt": "date", "q date": "date",
    "date time": "datetime", "add date time prompt": "datetime", "add datetime prompt": "datetime",
    "q date time": "datetime", "q datetime": "datetime",
    "add decimal prompt": "decimal", "q decimal": "decimal",
    "add image prompt": "image", "q image": "image",
    "add integer prompt": "integer", "q int": "integer",
    "add location prompt": "geopoint", "q location": "geopoint", "q geopoint": "geopoint",
    "add note prompt": "note", "q note": "note",
    "add text prompt": "text", "q string": "text",
    # and of the metadata rows
    "start time": "start", "get start time": "start", "end time": "end", "get end time": "end",
    "get today": "today", "device id": "deviceid", "get device id": "deviceid", "uri:deviceid": "deviceid",
    "sim id": "simserial", "get sim id": "simserial", "uri:simserial": "simserial",
    "subscriber id": "subscriberid", "get subscriber id": "subscriberid", "uri:subscriberid": "subscriberid",
    "phone number": "phonenumber", "get phone number": "phonenumber", "uri:phonenumber": "phonenumber",
    "uri:email": "email", "uri:username": "username",
}  # fmt: skip
SELECT_ONE = re.compile(
    r"^(?:select[ _]one(?:[ _]from)?|add select one prompt using)\s+(\S+)(\s+or_other)?$", re.I
)
SELECT_MULTIPLE = re.compile(
    r"^(?:select(?:[ _]multiple|[ _]all[ _]that[ _]apply)(?:[ _]from)?|add select multiple prompt using)"
    r"\s+(\S+)(\s+or_other)?$",
    re.I,
)


def normal_type(raw: str) -> tuple[str, bool]:
    """A type as pyxform spells it in any of its accepted forms, and whether it asks for an "other" choice:
    `select one from X`, `select_one X or_other`, `select all that apply from X`, `string`, `int`, `dateTime`,
    `photo`, `begin_repeat`... -> (`select_one X`, True), (`text`, False)..."""
    kind = " ".join(raw.split())
    for pattern, base in ((SELECT_ONE, "select_one"), (SELECT_MULTIPLE, "select_multiple")):
        match = pattern.match(kind)
        if match:
            return f"{base} {match.group(1)}", bool(match.group(2))
    lowered = kind.lower()
    return ALIASES.get(lowered, lowered), False


TRUE = {"yes", "true", "true()", "1", "y"}
FALSE = {"no", "false", "false()", "0", "n", ""}
_NUMBER_BOUND = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_LENGTH = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)\s*$")


def language(column: str) -> str | None:
    """'zh', 'en' or None for a translation column suffix such as '中文 (zh)' or 'English (en)'."""
    text = column.lower()
    if re.search(r"\(zh[^)]*\)|\bzh\b|中文|chinese", text):
        return "zh"
    if re.search(r"\(en[^)]*\)|\ben\b|english", text):
        return "en"
    return None


def label_columns(columns: list[str], base: str) -> dict[str, str]:
    """Which column holds the zh and the en text of `base` (label, hint, constraint_message...); a column in
    another language is kept as `other` (the first one) so that a form written only in, say, German still
    has its text."""
    found: dict[str, str] = {}
    named: dict[str, str] = {}
    for column in columns:
        if column == base:
            found.setdefault("plain", column)
            named.setdefault("default", column)
        elif column.startswith(base + "::"):
            lang = language(column[len(base) + 2 :])
            found.setdefault(lang or "other", column)
            named.setdefault(column[len(base) + 2 :], column)
    if "other" in found or ("plain" in found and len(named) > 1):  # every language kept under its own name
        found |= {f"lang:{name}": column for name, column in named.items()}
    return found


def languages_of(columns: list[str]) -> list[str]:
    """The form's languages by name, in column order, when it has any besides Chinese and English ("default"
    for a plain `label` beside translations); [] for a Chinese and/or English form."""
    return [key[5:] for key in label_columns(columns, "label") if key.startswith("lang:")]


def text_of(record: dict[str, str], cols: dict[str, str]) -> dict[str, Any] | None:
    zh = record.get(cols.get("zh", ""), "") or record.get(cols.get("plain", ""), "")
    en = record.get(cols.get("en", ""), "")
    if not zh and en:
        zh = en  # an English-only form: the text is shown in both languages
    if not zh:
        zh = record.get(cols.get("other", ""), "")  # a form in another language: its own words
    other = {key[5:]: record.get(col, "") for key, col in cols.items() if key.startswith("lang:")}
    other = {name: text for name, text in other.items() if text}
    if not zh and other:
        zh = next(iter(other.values()))
    if not zh:
        return None
    return {"zh": zh, "en": en, **({"other": other} if other else {})}


def question(
    record: dict[str, str],
    kind: str,
    choices: dict[str, list[dict[str, Any]]],
    labels: dict[str, str],
    hints: dict[str, dict[str, str]],
    types: dict[str, str],
    where: str,
    problem: Any,
) -> dict[str, Any] | None:
    name = record.get("name", "")
    kind, or_other = normal_type(kind)
    base = kind.split(" ")[0]
    if base in ("select_one_from_file", "select_multiple_from_file"):  # a list from a file the form came with
        file = kind.split(" ", 1)[1].strip() if " " in kind else ""
        if "file:" + file not in choices:
            problem(
                f"{where}, column type",
                f"{base} needs its file {file!r}: upload it together with the form"
                if file.lower().endswith(".csv")
                else f"{base} {file!r}: only CSV lists are supported",
            )
            return None
        base = base.removesuffix("_from_file")
        kind = f"{base} file:{file}"
    if kind in UNSUPPORTED_TYPES or base in UNSUPPORTED_TYPES:
        problem(f"{where}, column type", f"type {kind!r} is not supported")
        return None
    if not re.match(r"^[a-z][a-z0-9_]{0,39}$", name):
        problem(
            f"{where}, column name",
            f"name {name!r} must start with a letter and use lower-case letters, digits and '_'",
        )
        return None
    label = text_of(record, labels)
    if label is None and kind == "calculate":
        label = {"zh": name, "en": ""}  # a calculation is never shown: its name is its label
    if label is None:
        problem(f"{where}, column label", "a question needs a label")
        return None
    item: dict[str, Any] = {"id": name, "label": label}
    for key, cols in hints.items():  # hint, constraint_message, required_message: in every language
        text = text_of(record, cols)
        if text:
            item[key] = text
    if base in ("select_one", "select_multiple"):
        list_name = kind.split(" ", 1)[1] if " " in kind else ""  # a file's name may hold spaces
        options = choices.get(list_name)
        if not options:
            problem(f"{where}, column type", f"choice list {list_name!r} is not on the choices sheet")
            return None
        values = [o["value"] for o in options]
        if base == "select_one" and values == ["1", "2", "3", "4", "5"] and record.get("dimension"):
            item["type"] = "likert5"
        elif (
            base == "select_one"
            and sorted(values) == ["no", "yes"]
            and (
                record.get("dimension")
                or all(o["label"]["zh"] in ("是", "否") and not o["label"].get("other") for o in options)
            )
        ):
            item["type"] = "yesno"  # a direct judgement; a yes/no list in its own words stays a choice
        else:
            item["type"] = "single" if base == "select_one" else "multi"
            item["options"] = options
        if or_other:
            item["type"] = "single" if base == "select_one" else "multi"
            item["options"] = [*options, {"value": "other", "label": {"zh": "其他", "en": "Other"}}]
    elif kind in TYPES:
        item["type"] = TYPES[kind]
        if kind == "integer":
            item["format"] = "integer"
        if kind == "range":
            _range(record.get("parameters", ""), item, where, problem)
    else:
        problem(f"{where}, column type", f"unknown type {kind!r}")
        return None
    required = record.get("required", "").lower()
    if required not in TRUE | FALSE:
        problem(f"{where}, column required", f"required must be yes or no (got {required!r})")
    item["required"] = required in TRUE
    if record.get("relevant"):
        try:
            item["relevant"] = to_expression(record["relevant"], types)
        except XPathError as exc:
            problem(f"{where}, column relevant", str(exc))
    if record.get("constraint"):
        constraint(record["constraint"], item, where, problem)
    if record.get("choice_filter"):
        cascade(record["choice_filter"], item, set(types), where, problem)
    if kind == "calculate":
        try:
            item["calculation"] = to_calculation(record.get("calculation", ""), types)
        except XPathError as exc:
            problem(f"{where}, column calculation", str(exc))
            return None
    for key in ("calculation", "default", "read_only"):
        if key == "calculation" and kind == "calculate":
            continue
        if record.get(key) and not (key == "read_only" and record[key].lower() in FALSE):
            problem(f"{where}, column {key}", f"{key} is not supported")
    for key in ("reverse", "covert", "na"):
        if record.get(key):
            value = record[key].lower()
            if value not in TRUE | FALSE:
                problem(f"{where}, column {key}", f"{key} must be yes or no")
            item[key] = value in TRUE
    if record.get("weight"):
        try:
            item["weight"] = float(record["weight"])
        except ValueError:
            problem(f"{where}, column weight", "weight must be a number")
    for key in ("dimension", "pair", "role"):
        if record.get(key):
            item[key] = record[key]
    if item["type"] == "text" and record.get("format") == "phone":
        item["format"] = "phone"
    return item


_FILTER_PART = re.compile(
    r"^\s*(?:([A-Za-z_][\w.-]*)\s*=\s*\$\{([^}]+)\}|\$\{([^}]+)\}\s*=\s*([A-Za-z_][\w.-]*))\s*$"
)
# `selected(${crops}, name)`: the choices picked in an earlier multiple choice (the main crop among them)
_FILTER_SELECTED = re.compile(r"^\s*selected\(\s*\$\{([^}]+)\}\s*,\s*([A-Za-z_][\w.-]*)\s*\)\s*$")


def cascade(text: str, item: dict[str, Any], earlier: set[str], where: str, problem: Any) -> None:
    """choice_filter `county = ${county}` (or `${county} = county`), or `selected(${crops}, name)` after a
    multiple choice, joined with `and`: a cascading select."""
    found: dict[str, str] = {}
    for part in re.split(r"\s+and\s+", text.strip()):
        match, picked = _FILTER_PART.match(part), _FILTER_SELECTED.match(part)
        if match is None and picked is None:
            problem(
                f"{where}, column choice_filter",
                f"choice_filter {part!r} cannot be mapped "
                "(supported: column = ${question} or selected(${question}, column), joined with and)",
            )
            return
        if picked is not None:
            question, column = picked.group(1), picked.group(2)
        elif match is not None:
            column, question = (
                (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            )
        if question not in earlier:
            problem(f"{where}, column choice_filter", f"${{{question}}} does not name an earlier question")
            return
        found[column] = question
    if item.get("type") not in ("single", "multi"):
        item["type"] = "single"  # a filtered list keeps its options (never a likert or yes/no shortcut)
    item["choice_filter"] = found


def _range(text: str, item: dict[str, Any], where: str, problem: Any) -> None:
    """XLSForm range parameters (start=1 end=10 step=1, pyxform's defaults 1, 10, 1) as min, max, step."""
    values = {"start": 1.0, "end": 10.0, "step": 1.0}
    for part in text.replace(";", " ").replace(",", " ").split():
        key, _eq, value = part.partition("=")
        try:
            values[key.strip().lower()] = float(value)
        except ValueError:
            problem(f"{where}, column parameters", f"range parameter {part!r} is not name=number")
            return
    if values["step"] <= 0 or values["start"] >= values["end"]:
        problem(f"{where}, column parameters", "a range needs start < end and a positive step")
        return
    item["format"] = "range"
    item["min"], item["max"] = (int(v) if v.is_integer() else v for v in (values["start"], values["end"]))
    item["step"] = int(values["step"]) if values["step"].is_integer() else values["step"]


def constraint(text: str, item: dict[str, Any], where: str, problem: Any) -> None:
    """min / max for numbers, max_length for text; anything else is reported."""
    for part in re.split(r"\s+and\s+", text.strip()):
        bound, length = _NUMBER_BOUND.match(part), _LENGTH.match(part)
        if bound and item["type"] == "number" and bound.group(1) in (">=", "<="):
            op, value = bound.group(1), float(bound.group(2))
            key = "min" if op in (">=", ">") else "max"
            item[key] = int(value) if value.is_integer() else value
        elif length and item["type"] == "text":
            limit = int(length.group(2)) - (1 if length.group(1) == "<" else 0)
            item["max_length"] = max(1, limit)
        else:
            problem(
                f"{where}, column constraint",
                f"constraint {part!r} cannot be mapped (supported: . >= n, . <= n, string-length(.) <= n)",
            )
