"""Time: stored as aware UTC datetimes, shown and entered in a campaign's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """Return the current time, aware, in UTC (the storage convention)."""
    return datetime.now(UTC)


def localtime(value: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as text in the time zone `tz` ("" for no time)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def local_moment(value: datetime, tz: str) -> datetime:
    """A UTC time as the wall-clock time in `tz` (what a form's today() and now() read)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return value


def parse_local(value: str, tz: str) -> datetime | None:
    """A datetime-local field ('2026-12-01T09:00') read in the time zone `tz`; None when it is not one (years
    2000-2199 only: year 1 or 9999 overflow when converted between zones)."""
    try:
        moment = datetime.fromisoformat(value.strip()[:40])
        if not 2000 <= moment.year <= 2199:
            return None
        moment = moment.replace(tzinfo=ZoneInfo(tz)) if moment.tzinfo is None else moment
        moment.astimezone(UTC)
    except (ValueError, OverflowError, ZoneInfoNotFoundError):
        return None
    return moment
