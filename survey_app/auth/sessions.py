"""Who is logged in: a random session id in the signed cookie, its record on the server (so logout, a password
change or an admin can end it at once), an idle time-out kept in the cookie (a page view never writes) and an
absolute lifetime counted from the login."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select
from starlette.requests import Request

from survey_app.clock import utcnow
from survey_app.models import StaffSession, User

IDLE_SECONDS = 2 * 3600


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use, also before login)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def csrf_matches(request: Request, supplied: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and supplied and hmac.compare_digest(str(expected), str(supplied)))


def log_in(*, request: Request, session: Session, user: User) -> None:
    """Start a fresh session: a new server record, a new id and a new CSRF token (no fixation)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_hash(token),
            user_id=user.id or 0,
            user_agent=request.headers.get("user-agent", "")[:200],
        )
    )
    request.session.clear()
    now = time.time()
    request.session.update({"sid": token, "csrf": secrets.token_urlsafe(24), "at": now, "seen": now})


def log_out(*, request: Request, session: Session) -> None:
    """End this session on the server and forget the cookie."""
    record = _record(request=request, session=session)
    if record is not None and record.ended_at is None:
        record.ended_at, record.ended_by = utcnow(), "logout"
        session.add(record)
    request.session.clear()


def end_sessions(*, session: Session, user: User, by: str) -> int:
    """End every open session of a user (password change, an admin's "end all sessions"); return how many."""
    rows = session.exec(
        select(StaffSession).where(StaffSession.user_id == user.id, col(StaffSession.ended_at).is_(None))
    ).all()
    for row in rows:
        row.ended_at, row.ended_by = utcnow(), by[:60]
        session.add(row)
    return len(rows)


def open_sessions(*, session: Session, user: User) -> list[StaffSession]:
    return list(
        session.exec(
            select(StaffSession)
            .where(StaffSession.user_id == user.id, col(StaffSession.ended_at).is_(None))
            .order_by(col(StaffSession.created_at).desc())
        )
    )


def _record(*, request: Request, session: Session) -> StaffSession | None:
    token = request.session.get("sid")
    if not isinstance(token, str) or not token:
        return None
    return session.exec(select(StaffSession).where(StaffSession.token_hash == _hash(token))).first()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_user(*, request: Request, session: Session) -> tuple[User | None, bool]:
    """Return (user, expired): expired when a session existed but idled out (2 hours), outlived its absolute
    lifetime (MINGCHA_SESSION_HOURS after login, however active) or was ended on the server."""
    if "sid" not in request.session:
        return None, False
    now = time.time()
    record = _record(request=request, session=session)
    user = session.get(User, record.user_id) if record is not None else None
    stale = now - float(request.session.get("seen", 0)) > IDLE_SECONDS
    lifetime = timedelta(hours=request.app.state.settings.session_hours)
    too_old = record is not None and utcnow() - _aware(record.created_at) > lifetime
    if record is None or record.ended_at is not None or user is None or not user.active or stale or too_old:
        request.session.clear()
        return None, True
    request.session["seen"] = now
    return user, False
