"""The guard every staff route goes through: logged in, the right role, and a CSRF token on changes."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from survey_app.auth.sessions import csrf_matches, current_user
from survey_app.views import error_page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
Endpoint = Callable[[Request], Response | Awaitable[Response]]


def guarded(
    endpoint: Endpoint, *, roles: frozenset[str] | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a staff endpoint: anonymous -> login page, wrong role -> 403, change without CSRF token -> 403."""

    @functools.wraps(endpoint)
    async def guarded_endpoint(request: Request) -> Response:
        user, expired = await run_in_threadpool(_load_user, request)
        if user is None:
            return login_redirect(request, expired=expired)
        if roles and not set(user.roles) & roles:
            return error_page(request, 403, "forbidden_role")
        if request.method not in SAFE_METHODS:
            if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_BYTES:
                return error_page(request, 413, "upload_too_large")
            if not await _csrf_ok(request):
                await _discard_form(request)
                return error_page(request, 403, "csrf_failed")
        request.state.user = user
        if inspect.iscoroutinefunction(endpoint):
            return await endpoint(request)  # type: ignore[misc]
        return await run_in_threadpool(endpoint, request)  # type: ignore[arg-type]

    guarded_endpoint.guard_roles = roles  # type: ignore[attr-defined]
    return guarded_endpoint


def _load_user(request: Request):  # type: ignore[no-untyped-def]
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        return current_user(request, session)


async def _csrf_ok(request: Request) -> bool:
    supplied = request.headers.get("X-CSRF-Token")
    if supplied is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form(max_files=5, max_fields=5000, max_part_size=2 * 1024 * 1024)
            except Exception:  # a malformed body cannot carry a valid token
                return False
            value = form.get("_csrf")
            supplied = value if isinstance(value, str) else None
    return csrf_matches(request, supplied)


async def _discard_form(request: Request) -> None:
    """Close uploaded files of a refused request (a parsed form is cached on the request)."""
    try:
        form = await request.form()
    except Exception:  # nothing was parsed, nothing to close
        return
    await form.close()


def login_redirect(request: Request, *, expired: bool = False) -> Response:
    """Send an anonymous visitor to the login page, then back (htmx: through HX-Redirect)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target)}" + ("&expired=1" if expired else "")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
