"""Compact answer codes: one byte per scored item, so a million responses load as one numpy array.

0 = not answered (or not shown), 1..5 = the Likert answer, 6 = not applicable; yes/no items store yes as 5
and no as 1 (direct judgement: full points or none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from forms.schema import Instrument, Item

MISSING, NA = 0, 6


def scored_items(instrument: Instrument) -> list[Item]:
    """The items that carry points, in display order (the column order of the codes)."""
    return [item for item in instrument.items if item.scored]


def encode(instrument: Instrument, answers: Mapping[str, Any]) -> bytes:
    """Codes for one response's answers."""
    out = bytearray()
    for item in scored_items(instrument):
        if item.id not in answers:
            out.append(MISSING)
            continue
        value = answers[item.id]
        if value is None:
            out.append(NA)
        elif item.type == "yesno":
            out.append(5 if value == "yes" else 1 if value == "no" else MISSING)
        elif isinstance(value, int) and 1 <= value <= 5:
            out.append(value)
        else:
            out.append(MISSING)
    return bytes(out)


def matrix(blobs: list[bytes], width: int) -> np.ndarray:
    """Stack equal-length code blobs into an (n, width) uint8 array."""
    if not blobs:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)


def matrix_from(blob: bytes, rows: int, width: int) -> np.ndarray:
    """An (rows, width) uint8 view of already concatenated code blobs."""
    if rows == 0:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(blob, dtype=np.uint8).reshape(rows, width)
