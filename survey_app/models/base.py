"""What every table module shares: JSON column defaults and the primary key of a stored row."""

from __future__ import annotations

from typing import Any


def empty_dict() -> dict[str, Any]:
    """A JSON column's default. Not `dict` itself: pydantic inspects a default factory's signature on every
    construction, and a builtin's signature is parsed from text (a tenth of a millisecond per row)."""
    return {}


def empty_list() -> list[Any]:
    """A JSON column's default (see `empty_dict`)."""
    return []


def ident(row: Any) -> int:
    """The primary key of a stored row (a new row has one once it was flushed)."""
    key = row.id
    if key is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return int(key)
