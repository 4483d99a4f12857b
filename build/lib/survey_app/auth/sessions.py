"""Who is logged in: the signed session cookie (Starlette's SessionMiddleware) plus an idle time-out."""

from __future__ import annotations

import hmac
import secrets
import time

from sqlmodel import Session
from starlette.requests import Request

from survey_app.models import User

IDLE_SECONDS = 2 * 3600


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use, also before login)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def csrf_matches(request: Request, supplied: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and supplied and hmac.compare_digest(str(expected), str(supplied)))


def log_in(request: Request, user: User) -> None:
    """Start a fresh session (a new CSRF token too: no fixation)."""
    request.session.clear()
    now = time.time()
    request.session.update(
        {
            "uid": user.id,
            "csrf": secrets.token_urlsafe(24),
            "at": now,
            "seen": now,
            "pw": user.password_changed_at.timestamp(),
        }
    )


def log_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request, session: Session) -> tuple[User | None, bool]:
    """Return (user, expired): expired when a session existed but idled out or its password changed."""
    uid = request.session.get("uid")
    if uid is None:
        return None, False
    now = time.time()
    user = session.get(User, uid)
    stale = now - float(request.session.get("seen", 0)) > IDLE_SECONDS
    changed = (
        user is not None
        and abs(user.password_changed_at.timestamp() - float(request.session.get("pw", 0))) > 1e-3
    )
    if user is None or not user.active or stale or changed:
        request.session.clear()
        return None, True
    request.session["seen"] = now
    return user, False
