"""The files a form comes with (ODK's media): the CSV lists that `select_one_from_file` and
`select_multiple_from_file` read, as choice lists; each problem by file and row. Other kinds of file (XML,
GeoJSON) are refused by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from forms.xlsform_items import label_columns, text_of
from forms.xlsform_sheets import header

MAX_FILES = 20
MAX_FILE_BYTES = 1024 * 1024
MAX_CHOICES = 2000  # a list of districts or schools, not a database
FILE_PREFIX = "file:"  # a file's list among the choice lists, so that a list name cannot take its place


def media_lists(media: Mapping[str, bytes], problem: Any) -> dict[str, list[dict[str, Any]]]:
    """Each CSV file's choices (name, label and its translations, further columns kept for choice_filter),
    keyed `file:<its name>`."""
    lists: dict[str, list[dict[str, Any]]] = {}
    if len(media) > MAX_FILES:
        problem("(files)", f"more than {MAX_FILES} files came with the form")
        return lists
    for name, data in media.items():
        if not name.lower().endswith(".csv"):
            problem(name, "only CSV files can come with a form (select_one_from_file with a .csv list)")
            continue
        if len(data) > MAX_FILE_BYTES:
            problem(name, f"the file is over {MAX_FILE_BYTES // 1024} KB; a list of choices is smaller")
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem(name, "the file is not UTF-8 text (save it as CSV UTF-8)")
            continue
        found = _choices(name, text, problem)
        if found is not None:
            lists[FILE_PREFIX + name] = found
    return lists


def _choices(name: str, text: str, problem: Any) -> list[dict[str, Any]] | None:
    rows = csv.reader(io.StringIO(text))
    columns = [header(cell) for cell in next(rows, [])]  # as on the choices sheet: any case, : or ::
    labels = label_columns(columns, "label")
    if "name" not in columns or not labels:
        problem(f"{name}!row 1", "a list of choices needs a 'name' and a 'label' column")
        return None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        record = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns) if c}
        if not any(record.values()):
            continue
        if len(out) >= MAX_CHOICES:
            problem(name, f"more than {MAX_CHOICES} choices")
            return None
        value, label = record.get("name", ""), text_of(record, labels)
        if not value or label is None:
            problem(f"{name}!row {n}", "a choice needs a name and a label")
            continue
        if value in seen:
            problem(f"{name}!row {n}", f"the name {value[:40]!r} is used twice")
            continue
        seen.add(value)
        attrs = {c: v for c, v in record.items() if v and c != "name" and not c.startswith("label")}
        out.append({"value": value, "label": label, **({"attrs": attrs} if attrs else {})})
    if len(out) < 2:
        problem(name, "a list of choices needs at least two")
        return None
    return out
