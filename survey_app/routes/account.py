"""A user's open sessions: listed to the user (and admins), ended all at once by either."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.auth.sessions import end_sessions, open_sessions
from survey_app.auth.users import find_user
from survey_app.endpoint import db, endpoint, redirect, user
from survey_app.errors import Forbidden, NotFound
from survey_app.models import User
from survey_app.routes.staff import staff_render
from survey_app.services import audit


def _subject(request: Request) -> User:
    """The account in the path: your own, or any for an admin."""
    found = find_user(session=db(request), username=request.path_params["username"][:60])
    if found is None:
        raise NotFound("not_found")
    me = user(request)
    if found.id != me.id and "admin" not in me.roles:
        raise Forbidden("forbidden_role")
    return found


def sessions_page(request: Request) -> Response:
    subject = _subject(request)
    ctx = {"subject": subject, "sessions": open_sessions(db(request), subject)}
    return staff_render(request, "account/sessions.html", ctx)


def sessions_end(request: Request) -> Response:
    """End every open session of the account (yours included: you log in again)."""
    subject = _subject(request)
    ended = end_sessions(db(request), subject, by=user(request).username)
    audit.append(
        db(request),
        actor=user(request).username,
        action="sessions.end",
        subject=f"user:{subject.username}",
        detail={"ended": ended},
    )
    return redirect(request, "account:sessions", username=subject.username)


routes = [
    Route("/users/{username}/sessions", endpoint(sessions_page), methods=["GET"], name="account:sessions"),
    Route("/users/{username}/sessions/end", endpoint(sessions_end), methods=["POST"], name="account:end"),
]
