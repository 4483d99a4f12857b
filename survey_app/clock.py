"""The storage clock: aware UTC datetimes (times are shown in the campaign's time zone)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time, aware, in UTC (the storage convention)."""
    return datetime.now(UTC)
