"""The one reader of whole numbers typed by people and programs: ASCII decimal digits only, bounded.

`str.isdigit()` accepts '²' and '٣', which `int()` then refuses (or reads as something else); a path segment
of twenty digits overflows a database integer. Every whole number from a path, a query, a form, a header, a
CSV cell or an XLSForm cell is read here.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # below 2**63: fits a signed 64-bit database integer
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)


def whole_number(text: object, *, low: int = 0, high: int = 10**MAX_DIGITS - 1) -> int | None:
    """`text` as a whole number in [low, high], or None: ASCII digits only (no sign, no spaces, no
    Unicode digits), at most 18 of them."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if low <= text <= high else None
    if isinstance(text, float):
        return int(text) if text.is_integer() and low <= text <= high else None
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
