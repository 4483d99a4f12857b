"""A repeat's entries added or removed on the page: the posted fields rewritten, nothing checked here.

The page posts `_repeat=add:<repeat>` ("add another") or `_repeat=remove:<repeat>:<n>` (remove entry n).
Removing an entry moves the later entries' answers up one place, so what was typed is never lost or shifted
onto the wrong entry. A repeat with a fixed count (XLSForm's repeat_count) takes neither.
"""

from __future__ import annotations

from collections.abc import Mapping

from forms.answers import COUNT_PREFIX, FIELD_PREFIX, entries, entry_number
from forms.schema import Instrument


class RepeatActionError(ValueError):
    """An action that names no repeat of this form, or an entry it does not have."""


def apply_action(
    instrument: Instrument, fields: Mapping[str, list[str]], action: str
) -> dict[str, list[str]]:
    """The fields as they are after the action (a repeat that takes actions has no fixed count, so its
    entries follow from the posted fields alone)."""
    verb, _, rest = action.partition(":")
    repeat_id, _, number = rest.partition(":")
    section = next((s for s in instrument.sections if s.repeat and s.id == repeat_id), None)
    if section is None or section.repeat_count is not None or verb not in ("add", "remove"):
        raise RepeatActionError(action)
    count = entries(section, fields, {})
    if verb == "add":
        out = {k: list(v) for k, v in fields.items()}
        out[COUNT_PREFIX + section.id] = [str(min(count + 1, section.repeat_max))]
        return out
    gone = entry_number(number)
    if gone is None or gone > count:
        raise RepeatActionError(action)
    ids = {item.id for item in section.items}
    moved: dict[str, list[str]] = {}
    for name, got in fields.items():
        item_id, _, entry = name[len(FIELD_PREFIX) :].partition(".")
        n = entry_number(entry) if name.startswith(FIELD_PREFIX) and item_id in ids else None
        if n is None:
            moved[name] = list(got)
        elif n != gone:  # the removed entry's answers go; the later ones move up one place
            moved[f"{FIELD_PREFIX}{item_id}.{n - 1 if n > gone else n}"] = list(got)
    moved[COUNT_PREFIX + section.id] = [str(count - 1)]
    return moved


def after_action(
    instrument: Instrument, fields: Mapping[str, list[str]], action: str
) -> tuple[dict[str, list[str]], bool]:
    """The fields after a posted action and whether it was one this form takes (else they are unchanged)."""
    try:
        return apply_action(instrument, fields, action), True
    except RepeatActionError:
        return dict(fields), False
