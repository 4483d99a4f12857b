"""The server side of the phones' offline outbox.

A request replayed from a phone's outbox carries `X-Idempotency-Key` (a random key made on the phone when the
item was queued) and `X-Queued-Ms` (how long it waited there, on the phone's own clock). The key is stored
with the request's outcome in the request's own unit of work, so however often the phone, a second tab or the
service worker sends it, the change is made once and every copy gets the first outcome back. The queued time
dates what was captured offline (a check-in, a submission) at the moment it was captured, not when it arrived.

A key is kept for `MINGCHA_REPLAY_RETENTION_DAYS` (30 by default, beyond the 14 days an outbox item is dated
back), then swept by the worker; an anonymous request that was refused keeps none (it changed nothing, and a
stranger's junk keys must not fill the table or take the write lock).

The outbox asks for JSON (`Accept: application/json`): `{"ok": true, "status": 303, "location": ...}`, or the
error shape `{"error": {"code", "status", "message"}}` with the message in the phone's language.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from forms.numbers import whole_number
from survey_app.clock import utcnow
from survey_app.db import begin_writing
from survey_app.models import RequestKey
from survey_app.web.messages import ERRORS, error_message, field_error

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_QUEUED = timedelta(days=14)  # an outbox older than this is still sent, but dated no earlier
NOTICE_HEADER = (
    "X-Mingcha-Notice"  # a handler's refusal that kept data (e.g. a cancelled visit) names its code
)
SAFE_SITES = ("same-origin", "none", "")


def client_key(request: Request) -> str | None:
    """The request's outbox key, when it carries a well-formed one."""
    raw = request.headers.get("x-idempotency-key", "")
    return raw if KEY_RE.match(raw) else None


def same_origin_replay(request: Request) -> bool:
    """An outbox replay: a custom header (a cross-site form cannot set one, and the app answers no CORS
    preflight) from this site. It stands in for the CSRF field, which may be stale after a new login."""
    site = request.headers.get("sec-fetch-site", "")
    return client_key(request) is not None and site in SAFE_SITES


def captured_at(request: Request) -> datetime:
    """When what this request carries was captured: now, less the time it waited in the phone's outbox."""
    now = utcnow()
    queued = whole_number(request.headers.get("x-queued-ms", ""), high=10**12)
    if queued is None:
        return now
    return now - min(timedelta(milliseconds=queued), MAX_QUEUED)


def _scoped(request: Request, key: str, user_id: int | None) -> str:
    return f"{user_id if user_id is not None else 'public'}:{key}"


def find(*, session: Session, request: Request, key: str, user_id: int | None) -> RequestKey | None:
    return session.get(RequestKey, _scoped(request, key, user_id))


def outcome(response: Response) -> dict[str, Any]:
    """What a handler's response said, as the outbox keeps it."""
    status = response.status_code
    if status < 400:
        location = response.headers.get("location") or response.headers.get("hx-redirect") or ""
        return {"ok": True, "status": status, "location": location}
    code = response.headers.get(NOTICE_HEADER, "")
    if code in ERRORS:
        message = error_message(code)
    elif code:
        message = field_error(code)
    else:
        code = {409: "conflict", 422: "answers_incomplete"}.get(status, "bad_request")
        message = error_message(code)
    return {"error": {"code": code, "status": status, "message": message}}


def remember(
    *, session: Session, request: Request, key: str, user_id: int | None, found: dict[str, Any]
) -> None:
    status = int(found.get("status") or found.get("error", {}).get("status") or 200)
    begin_writing(session=session)
    session.add(
        RequestKey(
            key=_scoped(request, key, user_id), path=request.url.path[:300], status=status, outcome=found
        )
    )
    session.flush()  # a concurrent twin fails here, inside the unit of work, and is answered from the row


def expire(*, session: Session, older_than: datetime) -> int:
    """Forget the keys stored before `older_than` (the worker's hourly sweep); return how many."""
    from sqlalchemy import delete

    gone = session.execute(delete(RequestKey).where(col(RequestKey.created_at) < older_than))
    return int(getattr(gone, "rowcount", 0) or 0)


def answer(request: Request, stored: dict[str, Any], original: Response | None = None) -> Response:
    """The outcome for the client: JSON for the outbox; for a browser page, the handler's own response (first
    time) or, on a repeat, on to where the first one went."""
    if not wants_outcome(request):
        if original is not None:
            return original
        if stored.get("location"):
            return RedirectResponse(stored["location"], status_code=303)
    status = 200 if stored.get("ok") else int(stored["error"]["status"])
    return JSONResponse(stored, status_code=status)


def wants_outcome(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept
