"""XLSForm workbooks written with openpyxl for tests: a survey sheet, and optionally choices and settings."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook


def workbook(
    survey: list[list[Any]], choices: list[list[Any]] | None = None, settings: list[list[Any]] | None = None
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
