"""A user's open sessions and API tokens: listed to the user (and admins); sessions ended all at once,
tokens created (shown once) and revoked."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.auth.accounts import end_access, find_user
from survey_app.auth.sessions import open_sessions
from survey_app.errors import Forbidden, NotFound
from survey_app.models import User
from survey_app.routes.staff import staff_render
from survey_app.services import audit
from survey_app.services.api import tokens
from survey_app.services.campaigns.access import visible_campaigns
from survey_app.web.endpoint import EVERY_ACCOUNT, db, endpoint, field, form, redirect, user


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
    ctx = {"subject": subject, "sessions": open_sessions(session=db(request), user=subject)}
    return staff_render(request, "account/sessions.html", ctx)


def sessions_end(request: Request) -> Response:
    """End every open session of the account (yours included: you log in again) and revoke its API tokens."""
    subject, me = _subject(request), user(request).username
    ended = end_access(session=db(request), user=subject, by=me, actor=me)
    audit.append(
        session=db(request),
        actor=me,
        action="sessions.end",
        subject=f"user:{subject.username}",
        detail={"ended": ended["sessions_ended"], "tokens_revoked": ended["tokens_revoked"]},
    )
    return redirect(request, "account:sessions", username=subject.username)


def _tokens_page(request: Request, subject: User, *, new: str = "", status: int = 200) -> Response:
    session = db(request)
    names = {c.id: c.code for c in visible_campaigns(session=session, user=subject)}
    ctx = {
        "subject": subject,
        "tokens": tokens.tokens_of(session=session, user=subject),
        "campaigns": names,
        "new": new,
    }
    return staff_render(request, "account/tokens.html", ctx, status_code=status)


def tokens_page(request: Request) -> Response:
    return _tokens_page(request, _subject(request))


def token_create(request: Request) -> Response:
    """A new API token, shown on this page once (it is never stored in the clear)."""
    subject = _subject(request)
    codes = [c for c in form(request).getlist("campaigns") if isinstance(c, str)][:200]
    _row, plain = tokens.create(
        session=db(request),
        user=subject,
        name=field(request, "name"),
        campaign_codes=codes,
        actor=user(request).username,
    )
    return _tokens_page(request, subject, new=plain)


def token_revoke(request: Request) -> Response:
    subject = _subject(request)
    tokens.revoke(
        session=db(request), token_id=request.path_params["token"], user=subject, actor=user(request).username
    )
    return redirect(request, "account:tokens", username=subject.username)


routes = [
    Route("/users/{username}/tokens", endpoint(tokens_page), methods=["GET"], name="account:tokens"),
    Route("/users/{username}/tokens", endpoint(token_create), methods=["POST"], name="account:token_create"),
    Route(
        "/users/{username}/tokens/{token:id}/revoke",
        endpoint(token_revoke),
        methods=["POST"],
        name="account:token_revoke",
    ),
    Route(
        "/users/{username}/sessions",
        endpoint(sessions_page, roles=EVERY_ACCOUNT),
        methods=["GET"],
        name="account:sessions",
    ),
    Route(
        "/users/{username}/sessions/end",
        endpoint(sessions_end, roles=EVERY_ACCOUNT),
        methods=["POST"],
        name="account:end",
    ),
]
