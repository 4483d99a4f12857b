"""The one door for reading an uploaded .xlsx: its zip is checked before anything parses it.

An .xlsx is a zip of XML parts, and a zip can be a bomb: a 1.2 MB upload whose shared strings unpack to a
gigabyte. Before openpyxl sees the bytes, the archive's directory is read and refused when it has too many
parts, when any part unpacks to more than `max_part` bytes, or when they all unpack to more than `max_total`.
The sizes a zip declares cannot be exceeded when it is read (Python's zipfile stops at the declared size and
then fails the CRC check), so checking them bounds what parsing can unpack. Locations, XLSForms and any later
spreadsheet import read their workbooks here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

MAX_UPLOAD = 10 * 1024 * 1024  # what the web app accepts as an upload at all
MAX_TOTAL = 64 * 1024 * 1024  # all parts unpacked
MAX_PART = 32 * 1024 * 1024  # one part unpacked (a sheet, the shared strings)
MAX_PARTS = 1000


@dataclass(frozen=True)
class Limits:
    total: int = MAX_TOTAL
    part: int = MAX_PART
    parts: int = MAX_PARTS


class WorkbookRefused(ValueError):
    """The upload is not a workbook we will open; `code` says why (not_xlsx, too_many_parts, too_large)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def check_archive(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse (WorkbookRefused) a file that is not a zip, or that would unpack beyond the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise WorkbookRefused("not_xlsx", "not a zip archive, so not an .xlsx workbook") from None
    if len(parts) > limits.parts:
        raise WorkbookRefused("too_many_parts", f"{len(parts)} parts (at most {limits.parts})")
    biggest = max(parts, key=lambda p: p.file_size, default=None)
    if biggest is not None and biggest.file_size > limits.part:
        raise WorkbookRefused(
            "too_large",
            f"{biggest.filename[:60]} unpacks to {biggest.file_size:,} bytes (at most {limits.part:,})",
        )
    total = sum(p.file_size for p in parts)
    if total > limits.total:
        raise WorkbookRefused("too_large", f"the parts unpack to {total:,} bytes (at most {limits.total:,})")


def open_workbook(data: bytes, limits: Limits = Limits()) -> Any:
    """The workbook (openpyxl, read-only, values not formulas) once its archive passed `check_archive`;
    WorkbookRefused for anything else, including a file openpyxl cannot read."""
    check_archive(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or disguised file
        raise WorkbookRefused("not_xlsx", "not a readable .xlsx workbook") from None
