"""An XLSForm workbook's sheets as pyxform reads them: column names in any case and spelling, entirely empty
columns dropped, rows of text with their row numbers (blank ones skipped)."""

from __future__ import annotations

from typing import Any


def header(cell: Any) -> str:
    """A column name as pyxform reads it: any case, `label:English` like `label::English`, `list name` like
    `list_name` (the part after the colons, a language, is kept as written)."""
    text = " ".join(str(cell).split()) if cell is not None else ""
    if not text:
        return ""
    base, sep, rest = text.partition("::")
    if not sep:
        base, sep, rest = text.partition(":")
    base = base.strip().lower().replace(" ", "_")
    return f"{base}::{rest.strip()}" if sep else base


class Sheet:
    def __init__(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        self.name = name
        columns = [header(c) for c in (rows[0] if rows else ())]
        used = {j for row in rows[1:] for j, v in enumerate(row) if j < len(columns) and cell_text(v)}
        # an entirely empty column says nothing (Kobo leaves unused ones such as repeat_count in every form)
        self.columns = [c if j in used else "" for j, c in enumerate(columns)]
        self.rows = rows[1:]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        out = []
        for n, row in enumerate(self.rows, start=2):
            record = {
                self.columns[j]: cell_text(v)
                for j, v in enumerate(row)
                if j < len(self.columns) and self.columns[j]
            }
            if any(record.values()):
                out.append((n, record))
        return out


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
