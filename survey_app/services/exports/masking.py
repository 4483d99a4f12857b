"""Phone numbers typed into free text are masked wherever answers leave the app: the read API, every export
(CSV, xlsx, JSONL, the job files and the direct downloads). One function, so they cannot drift apart.

A consented phone number is never exported at all (it is a field of its own, encrypted); this is for the
resident who writes "call me on 138 0013 8000" into a comment."""

from __future__ import annotations

import re
from typing import Any

PHONE_LIKE = re.compile(r"\+?\d[\d \-]{5,}\d")  # 7 or more digits, spaced or hyphenated (any script's digits)
MASK = "[号码已隐去]"


def masked(text: str) -> str:
    """Free text with phone-like digit runs masked."""
    return PHONE_LIKE.sub(MASK, text or "")


def masked_value(value: Any) -> Any:
    """An answer with its text masked: a string, each string of a list, each answer of a repeat's entries
    (a list of {item: answer}); numbers and codes as they are."""
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, list):
        return [masked_value(v) for v in value]
    if isinstance(value, dict):
        return {k: masked_value(v) for k, v in value.items()}
    return value
