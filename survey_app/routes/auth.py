"""Log in and out."""

from __future__ import annotations

import time

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from survey_app.auth import accounts
from survey_app.auth.accounts import find_user
from survey_app.auth.passwords import verify_password, verify_unknown
from survey_app.auth.sessions import csrf_token, current_user, log_in, log_out
from survey_app.errors import Unsupported
from survey_app.models import User
from survey_app.services import audit
from survey_app.web.endpoint import EVERY_ACCOUNT, db, endpoint, field, redirect
from survey_app.web.landing import landing_page
from survey_app.web.request_body import read_urlencoded
from survey_app.web.templating import render


def _safe_next(value: str | None) -> str:
    """A local path to go on to, or "" for the user's own landing page."""
    return value if value and value.startswith("/") and not value.startswith("//") else ""


def _landing(request: Request, user: User, next_url: str) -> Response:
    """Where a signed-in user goes: where they were headed, else their tasks (field auditors who lead and
    administer nothing) or the campaigns."""
    if next_url:
        return RedirectResponse(next_url, status_code=303)
    return redirect(request, landing_page(set(user.roles)))


def login_page(request: Request) -> Response:
    """The login form (also says why you are here: an expired session)."""
    found, _expired = current_user(request=request, session=db(request))
    if found is not None:
        return _landing(request, found, _safe_next(request.query_params.get("next")))
    ctx = {
        "csrf": csrf_token(request),
        "next": _safe_next(request.query_params.get("next")),
        "expired": request.query_params.get("expired") == "1",
        "error": None,
        "username": "",
    }
    return render(request, "auth/login.html", ctx)


async def _login_form(request: Request) -> FormData:
    """Anonymous: a small urlencoded form only (never multipart, never spooled to disk)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/x-www-form-urlencoded", ""):
        raise Unsupported("body_unsupported_type")
    fields = await read_urlencoded(request, limit=8 * 1024)
    return FormData([(k, v) for k, values in fields.items() for v in values])


def login_submit(request: Request) -> Response:
    """Check the password. The same work for unknown users; failures wait briefly and count per account+IP."""
    settings = request.app.state.settings
    username = field(request, "username").strip().lower()[:60]
    password = field(request, "password")[:1000]
    next_url = _safe_next(field(request, "next"))
    ip = request.client.host if request.client else "?"
    throttle = request.app.state.login_throttle
    ctx = {"csrf": csrf_token(request), "next": next_url, "expired": False, "username": username}
    wait = throttle.wait_seconds(username, ip)
    if wait:
        minutes = max(1, round(wait / 60))
        page = {**ctx, "error": "throttled", "minutes": minutes}
        return render(request, "auth/login.html", page, status_code=429)
    user = find_user(session=db(request), username=username)
    if user is None:
        ok = verify_unknown(password)
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok or user is None:
        throttle.failed(username, ip)
        audit.append(
            session=db(request), actor="anonymous", action="login.failed", subject=f"user:{username}"
        )
        time.sleep(settings.login_failure_delay)
        return render(request, "auth/login.html", {**ctx, "error": "wrong"}, status_code=401)
    throttle.succeeded(username, ip)
    failed = accounts.failures_since_last_login(session=db(request), user=user)
    log_in(request=request, session=db(request), user=user)
    audit.append(session=db(request), actor=user.username, action="login.ok", subject=f"user:{user.username}")
    if failed:
        request.session["failed_logins"] = failed
    return _landing(request, user, next_url)


def logout(request: Request) -> Response:
    log_out(request=request, session=db(request))
    return redirect(request, "auth:login")


routes = [
    Route("/login", endpoint(login_page, staff=False), methods=["GET"], name="auth:login"),
    Route(
        "/login",
        endpoint(login_submit, staff=False, reader=_login_form),
        methods=["POST"],
        name="auth:login_submit",
    ),
    Route("/logout", endpoint(logout, roles=EVERY_ACCOUNT), methods=["POST"], name="auth:logout"),
]
