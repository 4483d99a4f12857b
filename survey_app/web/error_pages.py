"""Refusals as pages in the reader's language with their status code, or as JSON for the API and the phones'
outbox: {"error": {"code", "status", "message"}}. The texts are in `web.messages`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from survey_app.errors import DomainError
from survey_app.web.landing import landing_page
from survey_app.web.messages import error_message, error_title
from survey_app.web.templating import render

_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def _back(request: Request) -> str:
    """The page the reader came from, when it is one of ours and not this one (a local path), else ""."""
    referer = urlsplit(request.headers.get("referer", "")[:2000])
    if referer.netloc and referer.netloc != request.url.netloc:
        return ""
    path = referer.path
    if not path.startswith("/") or path.startswith("//") or path == request.url.path:
        return ""
    return path + (f"?{referer.query}" if referer.query else "")


def error_page(request: Request, status: int, code: str, *, params: dict[str, Any] | None = None) -> Response:
    """Render the error page for `code` with HTTP status `status`: what went wrong in the reader's words,
    a way back (the page they came from, and their start page), and for a poster code nobody has, the box to
    type it again. The status is in the response, not in the text."""
    roles: frozenset[str] | None = getattr(request.state, "roles", None)
    staff = roles is not None
    ctx = {
        "title": error_title(code),
        "message": error_message(code, params),
        "status": status,
        "staff": staff,
        "back": _back(request),
        "home": str(request.app.url_path_for(landing_page(roles) if roles is not None else "home")),
        "code_box": code == "poster_code_not_found",
        "typed": request.path_params.get("code", "") if code == "poster_code_not_found" else "",
    }
    return render(request, "errors/page.html", ctx, status_code=status)


def wants_json(request: Request) -> bool:
    """API routes (and clients that ask for JSON) get errors as JSON with a stable shape."""
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )  # the phones' outbox asks for JSON too (survey_app.web.outbox)


def _json(code: str, status: int, params: dict[str, Any], headers: dict[str, str] | None) -> Response:
    payload = {"error": {"code": code, "status": status, "message": error_message(code, params)}}
    return JSONResponse(payload, status_code=status, headers=headers)


async def domain_error(request: Request, exc: Exception) -> Response:
    """A refused request (not found, forbidden, conflict, locked, invalid...) as a page, or JSON, with its
    status."""
    assert isinstance(exc, DomainError)
    if wants_json(request):
        headers = {"Retry-After": str(exc.params["seconds"])} if "seconds" in exc.params else {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="mingcha"'
        return _json(exc.code, exc.status, exc.params, headers or None)
    return error_page(request, exc.status, exc.code, params=exc.params)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette HTTPException (404, 405, ...) as a page in the user's language."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = _BY_STATUS.get(status, "bad_request")
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}  # e.g. Allow on a 405
    if wants_json(request):
        return _json(code, status, {}, headers)
    page = error_page(request, status, code)
    page.headers.update(headers)
    return page


async def server_error(request: Request, exc: Exception) -> Response:
    """Last resort: never a bare traceback."""
    return error_page(request, 500, "server_error")
