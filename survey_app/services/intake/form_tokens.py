"""The public survey form's keys: the signed form token (idempotency key, when it was served, for which
poster), the phone's draft id and client id, and the answering times it measured."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from forms import Instrument
from forms.numbers import whole_number

FORM_MAX_AGE_S = 14 * 24 * 3600
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_DRAFT = re.compile(r"^[a-z0-9-]{8,40}$")


def draft_key(key: str, draft: str) -> str:
    """A response's idempotency key: the signed form's own, joined with the phone's draft id when the page
    sends one. A page kept on a phone for offline use is reused by the next person answering: each draft is
    its own response, while every resend of one draft (retries, a second tab, the outbox) is the same one."""
    return f"{key}.{draft}" if _DRAFT.match(draft) else key


def started_at(signed: datetime, answered: datetime, elapsed_ms: str) -> datetime:
    """When answering began: the form's signing time, or later when the phone measured a shorter answering
    time (a page kept for offline use was signed long before). It can only shorten the measured duration."""
    elapsed = whole_number(elapsed_ms, high=10**9)
    if elapsed is not None:
        return min(answered, max(signed, answered - timedelta(milliseconds=elapsed)))
    return signed


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="survey-form")


def new_form_token(secret: str, now: datetime, location_id: int) -> str:
    """Sign a fresh idempotency key with the time the form was first served and the location it is for."""
    payload = {"k": uuid.uuid4().hex, "t": int(now.timestamp()), "l": location_id}
    return _serializer(secret).dumps(payload)


def read_form_token(secret: str, token: str, location_id: int) -> tuple[str, datetime] | None:
    """Return (idempotency key, started at UTC) from a form token, or None if bad, too old, or issued for
    another location (a token cannot be replayed against another poster or campaign)."""
    try:
        payload = _serializer(secret).loads(token[:400], max_age=FORM_MAX_AGE_S)
        key, started, where = str(payload["k"]), int(payload["t"]), int(payload["l"])
        when = datetime.fromtimestamp(started, UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    return (key, when) if where == location_id else None


def client_id(value: str | None) -> str:
    """Accept the device's random id only in its expected shape."""
    return value if value and _CLIENT_ID.match(value) else ""


def item_times(value: str | None, instrument: Instrument) -> dict[str, int]:
    """Parse the per-item milliseconds recorded by the page script; ignore anything malformed."""
    if not value or len(value) > 8000:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    known = {item.id for item in instrument.items}
    return {
        k: min(int(v), 3_600_000)
        for k, v in data.items()
        if k in known and isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 1e12
    }  # 1e999 parses as infinity, and NaN fails every comparison: both are dropped
