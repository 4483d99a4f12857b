"""Log in and out."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from survey_app.auth.guard import guarded
from survey_app.auth.passwords import verify_password
from survey_app.auth.sessions import csrf_matches, csrf_token, current_user, log_in, log_out
from survey_app.auth.users import find_user
from survey_app.templating import render
from survey_app.views import error_page


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/campaigns"


def login_page(request: Request) -> Response:
    """The login form (also says why you are here: an expired session)."""
    with Session(request.app.state.engine) as session:
        user, _expired = current_user(request, session)
    if user is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    ctx = {
        "csrf": csrf_token(request),
        "next": _safe_next(request.query_params.get("next")),
        "expired": request.query_params.get("expired") == "1",
        "error": None,
        "username": "",
    }
    return render(request, "auth/login.html", ctx)


async def login_submit(request: Request) -> Response:
    """Check the password, with throttling: 5 failures in 15 minutes per account or IP means a wait."""
    form = await request.form(max_fields=20, max_part_size=4096)
    if not csrf_matches(request, str(form.get("_csrf") or "")):
        return error_page(request, 403, "csrf_failed")
    username = str(form.get("username") or "").strip().lower()[:60]
    password = str(form.get("password") or "")
    next_url = _safe_next(str(form.get("next") or ""))
    ip = request.client.host if request.client else "?"
    throttle = request.app.state.login_throttle
    ctx = {"csrf": csrf_token(request), "next": next_url, "expired": False, "username": username}
    wait = throttle.wait_seconds(username, ip)
    if wait:
        minutes = max(1, round(wait / 60))
        return render(
            request, "auth/login.html", {**ctx, "error": "throttled", "minutes": minutes}, status_code=429
        )
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        user = find_user(session=session, username=username)
        ok = user is not None and user.active and verify_password(user.password_hash, password)
    if not ok or user is None:
        throttle.failed(username, ip)
        return render(request, "auth/login.html", {**ctx, "error": "wrong"}, status_code=401)
    throttle.succeeded(username)
    log_in(request, user)
    return RedirectResponse(next_url, status_code=303)


async def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/login", login_page, methods=["GET"], name="auth:login"),
    Route("/login", login_submit, methods=["POST"], name="auth:login_submit"),
    Route("/logout", guarded(logout), methods=["POST"], name="auth:logout"),
]
