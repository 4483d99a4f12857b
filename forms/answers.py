"""Check a submitted answer set against an instrument: errors are data, every valid answer is kept.

Form fields are named ``a.<item_id>``; values arrive as lists of strings (as a form post delivers them).
A value of ``na`` means "not applicable" where the item allows it and is stored as None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.expressions import compile_expression
from forms.schema import Instrument, Item

FIELD_PREFIX = "a."
NA = "na"
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]([01][0-9]|2[0-3]):([0-5][0-9])$")

ErrorList = list[tuple[str, dict[str, Any]]]


@dataclass
class AnswerCheck:
    """The outcome: clean values (item id -> value), per-item errors, form-level errors, raw input."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, ErrorList] = field(default_factory=dict)
    form_errors: ErrorList = field(default_factory=list)
    raw: dict[str, list[str]] = field(default_factory=dict)
    relevant: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.form_errors

    def add(self, item_id: str, code: str, **params: Any) -> None:
        self.errors.setdefault(item_id, []).append((code, params))


def check_answers(
    instrument: Instrument,
    fields: Mapping[str, list[str]],
    *,
    max_text: int = 2000,
    require: Iterable[str] | None = None,
) -> AnswerCheck:
    """Validate posted fields; `require` limits the required-answer check to some items (one page)."""
    result = AnswerCheck()
    known = {item.id: item for item in instrument.items}
    for name, values in fields.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        item_id = name[len(FIELD_PREFIX) :]
        if item_id not in known:
            result.form_errors.append(("unknown_item", {"item": item_id[:40]}))
            continue
        kept = [v for v in values if v != ""]
        if kept:
            result.raw[item_id] = kept
    must = set(known) if require is None else set(require)
    for item in instrument.items:
        shown = is_relevant(item, result.values)
        result.relevant[item.id] = shown
        if not shown or item.type == "note":
            continue
        if item.type == "calculate":  # computed here from the answers so far, never typed in
            value = compile_expression(item.calculation or "0", calculation=True).value(result.values)
            if value is not None:
                result.values[item.id] = value
            continue
        raw = result.raw.get(item.id)
        if raw is None:
            if item.required and item.id in must:
                code, params = _own(item.required_message, "required")
                result.add(item.id, code, **params)
            continue
        _convert(result, item, raw, max_text)
    return result


def is_relevant(item: Item, values: Mapping[str, Any]) -> bool:
    """Whether an item is shown, given the answers so far."""
    if not item.relevant:
        return True
    return compile_expression(item.relevant, calculation=True).evaluate(values)


def _convert(result: AnswerCheck, item: Item, raw: list[str], max_text: int) -> None:
    if item.type != "multi" and len(raw) > 1:
        result.add(item.id, "one_value")
        return
    value = raw[0]
    if value == NA and item.type != "multi":
        if item.na:
            result.values[item.id] = None
        else:
            result.add(item.id, "na_not_allowed")
        return
    kind = item.type
    if kind == "likert5":
        if value in ("1", "2", "3", "4", "5"):
            result.values[item.id] = int(value)
        else:
            result.add(item.id, "out_of_range", low=1, high=5)
    elif kind == "yesno":
        if value in ("yes", "no"):
            result.values[item.id] = value
        else:
            result.add(item.id, "not_an_option")
    elif kind == "single":
        if value in {o.value for o in item.options_for(result.values)}:
            result.values[item.id] = value
        else:
            result.add(item.id, "not_an_option")
    elif kind == "multi":
        allowed = {o.value for o in item.options_for(result.values)}
        if all(v in allowed for v in raw):
            result.values[item.id] = [o.value for o in item.options if o.value in raw]
        else:
            result.add(item.id, "not_an_option")
    elif kind == "number":
        _number(result, item, value)
    elif kind == "time":
        if _TIME.match(value):
            hours, minutes = value.split(":")
            result.values[item.id] = f"{int(hours):02d}:{minutes}"
        else:
            result.add(item.id, "bad_time")
    elif kind == "text":
        _text(result, item, value, max_text)
    elif kind in ("date", "datetime"):
        _date(result, item, value.strip())
    elif kind == "geopoint":
        _geopoint(result, item, value)
    elif kind == "acknowledge":
        if value == "OK":
            result.values[item.id] = "OK"
        else:
            result.add(item.id, "not_an_option")
    else:  # photo: uploaded through the field app, never through a plain form post
        result.add(item.id, "photo_not_here")


def _own(message: Any, code: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """The form's own message (XLSForm's required_message / constraint_message) where it has one: the code
    `form_message` with the label to show in the form's language; else our code and its parameters."""
    return ("form_message", {"message": message}) if message is not None else (code, params)


def _geopoint(result: AnswerCheck, item: Item, value: str) -> None:
    """XLSForm's geopoint: "latitude longitude [altitude [accuracy]]" in degrees and metres (a comma also
    separates), stored in that form with four numbers."""
    parts = value.replace(",", " ").split()
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not 2 <= len(numbers) <= 4 or any(n != n or abs(n) == float("inf") for n in numbers):
        result.add(item.id, "bad_geopoint")
        return
    lat, lon = numbers[0], numbers[1]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (len(numbers) == 4 and numbers[3] < 0):
        result.add(item.id, "bad_geopoint")
        return
    full = numbers + [0.0] * (4 - len(numbers))
    result.values[item.id] = f"{full[0]:.6f} {full[1]:.6f} {full[2]:g} {full[3]:g}"


def _date(result: AnswerCheck, item: Item, value: str) -> None:
    """A calendar date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM, the phone's local time)."""
    import datetime as dt

    found = (_DATE if item.type == "date" else _DATETIME).match(value)
    try:
        if found is None:
            raise ValueError
        parts = [int(p) for p in found.groups()] + [0, 0]
        dt.datetime(parts[0], parts[1], parts[2], parts[3], parts[4])  # a real day (no 30 February)
    except ValueError:
        result.add(item.id, "bad_date" if item.type == "date" else "bad_datetime")
        return
    result.values[item.id] = value[:10] if item.type == "date" else value[:10] + "T" + value[11:16]


def _number(result: AnswerCheck, item: Item, value: str) -> None:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        result.add(item.id, "not_a_number")
        return
    if number != number or number in (float("inf"), float("-inf")):
        result.add(item.id, "not_a_number")
        return
    if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
        code, params = _own(item.constraint_message, "out_of_range", low=item.min, high=item.max)
        result.add(item.id, code, **params)
        return
    if item.format == "integer" and not number.is_integer():
        result.add(item.id, "not_whole")
        return
    if (
        item.step
        and item.min is not None
        and abs(round((number - item.min) / item.step) * item.step - (number - item.min)) > 1e-9
    ):
        result.add(item.id, "off_step", step=item.step)
        return
    result.values[item.id] = int(number) if number.is_integer() else number


def _text(result: AnswerCheck, item: Item, value: str, max_text: int) -> None:
    limit = min(item.max_length or max_text, max_text)
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        code, params = _own(item.constraint_message, "too_long", limit=limit, length=len(text))
        result.add(item.id, code, **params)
        return
    if item.format == "phone" and not _PHONE.match(text):
        result.add(item.id, "bad_phone")
        return
    if text:
        result.values[item.id] = text
    elif item.required:
        result.add(item.id, "required")
