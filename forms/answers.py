"""Check a submitted answer set against an instrument: errors are data, every valid answer is kept.

Form fields are named ``a.<item_id>``; values arrive as lists of strings (as a form post delivers them).
A value of ``na`` means "not applicable" where the item allows it and is stored as None.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from forms.expressions import ENTRY, MOMENT, compile_expression
from forms.numbers import whole_number
from forms.schema import REPEAT_MAX, Instrument, Item, Section

FIELD_PREFIX = "a."
COUNT_PREFIX = "_n."  # `_n.<repeat>`: how many entries of a repeat the page shows
PHOTOS = "__photos__"  # the context's photo reader (never an item id)
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
    counts: dict[str, int] = field(default_factory=dict)  # entries of each repeat on the page

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
    moment: datetime | None = None,
    photos: Callable[[str], str | None] | None = None,
) -> AnswerCheck:
    """Validate posted fields; `require` limits the required-answer check to some items (one page);
    `moment` is what today() and now() read (the campaign's local time; UTC when not given). `photos`,
    where a photo question may be answered on this form, turns a posted photo reference into what is stored
    (None for one it did not issue); without it a photo answer is refused.

    An item in a repeat is posted once per entry as ``a.<item>.<n>`` (n from 1); its problems, raw values and
    visibility are keyed ``<item>.<n>``, and the entries are stored under the repeat's id as a list of
    {item: answer}."""
    result = AnswerCheck()
    known = {item.id: item for item in instrument.items}
    in_repeat = {item.id for section in instrument.sections if section.repeat for item in section.items}
    for name, values in fields.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        key = name[len(FIELD_PREFIX) :]
        item_id, _dot, entry = key.partition(".")
        if (
            item_id not in known
            or (item_id in in_repeat) != bool(_dot)
            or (_dot and entry_number(entry) is None)
        ):
            result.form_errors.append(("unknown_item", {"item": key[:40]}))
            continue
        kept = [v for v in values if v != ""]
        if kept:
            result.raw[key] = kept
    must = set(known) if require is None else set(require)
    context: dict[str, Any] = {MOMENT: moment or datetime.now(UTC), PHOTOS: photos}
    for section in instrument.sections:
        if not section.repeat:
            _check_items(result, section.items, result.values, must, max_text, "", context)
            continue
        rows: list[dict[str, Any]] = []
        for n in range(1, entries(section, fields, result.values) + 1):
            scope = dict(result.values)  # an entry sees the answers asked once and its own
            _check_items(result, section.items, scope, must, max_text, f".{n}", {**context, ENTRY: n})
            rows.append({item.id: scope[item.id] for item in section.items if item.id in scope})
        result.values[section.id] = rows
        result.counts[section.id] = len(rows)
        for item in section.items:  # what count(), sum(), max() and min() read after the repeat
            context[item.id] = [row.get(item.id) for row in rows]
    return result


def _check_items(
    result: AnswerCheck,
    items: Iterable[Item],
    values: dict[str, Any],
    must: set[str],
    max_text: int,
    suffix: str,
    context: dict[str, Any],
) -> None:
    """Check one run of items into `values`; problems, raw values and visibility keyed item id + suffix.
    Conditions and calculations also read `context` (the moment, an entry's number)."""
    scope = ChainMap(values, context)
    for item in items:
        key = item.id + suffix
        shown = is_relevant(item, scope)
        result.relevant[key] = shown
        if not shown or item.type == "note":
            continue
        if item.type == "calculate":  # computed here from the answers so far, never typed in
            value = compile_expression(item.calculation or "0", calculation=True).value(scope)
            if value is not None:
                values[item.id] = value
            continue
        raw = result.raw.get(key)
        if raw is None:
            if item.required and item.id in must:
                code, params = _own(item.required_message, "required")
                result.add(key, code, **params)
            continue
        try:
            value = _convert(item, raw, max_text, values, context.get(PHOTOS))
        except Refused as exc:
            result.add(key, exc.code, **exc.params)
            continue
        if value is not EMPTY:
            values[item.id] = value


def entry_number(text: str) -> int | None:
    """A repeat entry's number in a field name (1 to REPEAT_MAX)."""
    return whole_number(text, low=1, high=REPEAT_MAX)


def entries(section: Section, fields: Mapping[str, list[str]], values: Mapping[str, Any]) -> int:
    """How many entries a repeat has: its fixed count (a number, or an earlier answer), else as many as the
    page posted (`_n.<repeat>`, or the highest entry answered), one when nothing says otherwise."""
    if section.repeat_count is not None:
        fixed = whole_number(section.repeat_count)
        if fixed is None:
            fixed = whole_number(values.get(section.repeat_count))
        return min(fixed or 0, section.repeat_max)
    posted = fields.get(COUNT_PREFIX + section.id)
    count = whole_number(posted[0], high=section.repeat_max) if posted else None
    ids = {item.id for item in section.items}
    highest = max(
        (
            entry_number(name.rsplit(".", 1)[1]) or 0
            for name, got in fields.items()
            if name.startswith(FIELD_PREFIX) and name.count(".") == 2 and name[2:].split(".")[0] in ids
            if any(v != "" for v in got)
        ),
        default=0,
    )
    if count is None and not posted:
        count = max(1, highest)
    return min(max(count or 0, highest), section.repeat_max)


def flat_answers(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with each repeat's entries spread over its items, for one column or line per item: an item
    in a repeat reads "1: Ana | 2: Bo" (N/A for not applicable; an entry that left it blank is skipped)."""
    out = dict(answers)
    for section in instrument.sections:
        rows = out.pop(section.id, None) if section.repeat else None
        if not isinstance(rows, list):
            continue
        for item in section.items:
            parts = [
                f"{n}: {_as_text(row[item.id])}"
                for n, row in enumerate(rows, start=1)
                if isinstance(row, dict) and item.id in row
            ]
            if parts:
                out[item.id] = " | ".join(parts)
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return "N/A"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def is_relevant(item: Item, values: Mapping[str, Any]) -> bool:
    """Whether an item is shown, given the answers so far."""
    if not item.relevant:
        return True
    return compile_expression(item.relevant, calculation=True).evaluate(values)


class Refused(ValueError):
    """An answer that cannot be kept: the message code and its parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


EMPTY = object()  # an answer that is blank once trimmed: nothing to store


def _convert(
    item: Item,
    raw: list[str],
    max_text: int,
    values: Mapping[str, Any],
    photos: Callable[[str], str | None] | None = None,
) -> Any:
    if item.type != "multi" and len(raw) > 1:
        raise Refused("one_value")
    value = raw[0]
    if value == NA and item.type != "multi":
        if item.na:
            return None
        raise Refused("na_not_allowed")
    kind = item.type
    if kind == "likert5":
        if value in ("1", "2", "3", "4", "5"):
            return int(value)
        raise Refused("out_of_range", low=1, high=5)
    if kind == "yesno":
        if value in ("yes", "no"):
            return value
        raise Refused("not_an_option")
    if kind == "single":
        if value in {o.value for o in item.options_for(values)}:
            return value
        raise Refused("not_an_option")
    if kind == "multi":
        allowed = {o.value for o in item.options_for(values)}
        if all(v in allowed for v in raw):
            return [o.value for o in item.options if o.value in raw]
        raise Refused("not_an_option")
    if kind == "number":
        return _number(item, value)
    if kind == "time":
        if _TIME.match(value):
            hours, minutes = value.split(":")
            return f"{int(hours):02d}:{minutes}"
        raise Refused("bad_time")
    if kind == "text":
        return _text(item, value, max_text)
    if kind in ("date", "datetime"):
        return _date(item, value.strip())
    if kind == "geopoint":
        return _geopoint(value)
    if kind == "acknowledge":
        if value == "OK":
            return "OK"
        raise Refused("not_an_option")
    stored = photos(value) if photos is not None else None  # a photo: a reference this form was given
    if stored is None:
        raise Refused("photo_not_here")
    return stored


def _own(message: Any, code: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """The form's own message (XLSForm's required_message / constraint_message) where it has one: the code
    `form_message` with the label to show in the form's language; else our code and its parameters."""
    return ("form_message", {"message": message}) if message is not None else (code, params)


def _geopoint(value: str) -> str:
    """XLSForm's geopoint: "latitude longitude [altitude [accuracy]]" in degrees and metres (a comma also
    separates), stored in that form with four numbers."""
    parts = value.replace(",", " ").split()
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not 2 <= len(numbers) <= 4 or any(n != n or abs(n) == float("inf") for n in numbers):
        raise Refused("bad_geopoint")
    lat, lon = numbers[0], numbers[1]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (len(numbers) == 4 and numbers[3] < 0):
        raise Refused("bad_geopoint")
    full = numbers + [0.0] * (4 - len(numbers))
    return f"{full[0]:.6f} {full[1]:.6f} {full[2]:g} {full[3]:g}"


def _date(item: Item, value: str) -> str:
    """A calendar date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM, the phone's local time)."""
    import datetime as dt

    found = (_DATE if item.type == "date" else _DATETIME).match(value)
    try:
        if found is None:
            raise ValueError
        parts = [int(p) for p in found.groups()] + [0, 0]
        dt.datetime(parts[0], parts[1], parts[2], parts[3], parts[4])  # a real day (no 30 February)
    except ValueError:
        raise Refused("bad_date" if item.type == "date" else "bad_datetime") from None
    return value[:10] if item.type == "date" else value[:10] + "T" + value[11:16]


def _number(item: Item, value: str) -> int | float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise Refused("not_a_number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Refused("not_a_number")
    if (item.min is not None and number < item.min) or (item.max is not None and number > item.max):
        code, params = _own(item.constraint_message, "out_of_range", low=item.min, high=item.max)
        raise Refused(code, **params)
    if item.format == "integer" and not number.is_integer():
        raise Refused("not_whole")
    if (
        item.step
        and item.min is not None
        and abs(round((number - item.min) / item.step) * item.step - (number - item.min)) > 1e-9
    ):
        raise Refused("off_step", step=item.step)
    return int(number) if number.is_integer() else number


def _text(item: Item, value: str, max_text: int) -> Any:
    limit = min(item.max_length or max_text, max_text)
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        code, params = _own(item.constraint_message, "too_long", limit=limit, length=len(text))
        raise Refused(code, **params)
    if item.format == "phone" and not _PHONE.match(text):
        raise Refused("bad_phone")
    if text:
        return text
    if item.required:
        raise Refused("required")
    return EMPTY
