"""Every route goes through `endpoint`: the request body read (bounded) on the event loop, then the handler
in a worker thread inside one unit of work (committed once, or rolled back on any error), with login, role
and CSRF checks for staff routes. Handlers are plain functions `handler(request) -> Response`; they read
`db(request)`, `user(request)` and `form(request)` and raise `survey_app.errors` for anything that fails.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forms.numbers import whole_number
from survey_app.auth.sessions import csrf_matches, current_user
from survey_app.db import unit_of_work
from survey_app.errors import Conflict, Forbidden, TooLarge, Unauthorized, Unsupported
from survey_app.models import User
from survey_app.web import outbox

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# a staff route that names no roles is for the auditors and admins: a reviewer's or an audited
# organisation's account reaches only the routes that name its role (and EVERY_ACCOUNT's: password, logout)
AUDITORS = frozenset({"admin", "lead", "field"})
EVERY_ACCOUNT = frozenset({"admin", "lead", "field", "reviewer", "auditee"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FORM_BYTES = 256 * 1024
Handler = Callable[[Request], Response]
BodyReader = Callable[[Request], Awaitable[Any]]


def db(request: Request) -> Session:
    """The request's unit of work."""
    session: Session = request.state.db
    return session


def user(request: Request) -> User:
    """The logged-in user of a staff route."""
    found: User = request.state.user
    return found


def form(request: Request) -> FormData:
    """The posted form of a staff route (already read and bounded)."""
    data: FormData = request.state.form
    return data


def field(request: Request, name: str, default: str = "") -> str:
    """One text field of the posted form."""
    value = form(request).get(name)
    return value if isinstance(value, str) else default


async def read_staff_form(
    request: Request, *, uploads: bool = False, limit: int = 0, too_large: str = "", max_files: int = 1
) -> FormData:
    """A staff form: urlencoded, or multipart where the route takes uploads (`max_files` files at most);
    bounded in size (`limit`, with the message `too_large` when over it)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = limit or (MAX_UPLOAD_BYTES if uploads else MAX_FORM_BYTES)
    if (whole_number(request.headers.get("content-length", "")) or 0) > limit:
        raise TooLarge(too_large or ("upload_too_large" if uploads else "body_too_large"))
    if ctype == "multipart/form-data" and not uploads:
        raise Unsupported("body_unsupported_type")
    if ctype not in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
        raise Unsupported("body_unsupported_type")
    if ctype == "":
        return FormData()
    return await request.form(max_files=max_files if uploads else 0, max_fields=5000, max_part_size=limit)


def endpoint(
    handler: Handler,
    *,
    staff: bool = True,
    roles: frozenset[str] | None = None,
    csrf: bool = True,
    reader: BodyReader | None = None,
    lock_late: bool = False,
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: read the body, then run it in a thread inside one unit of work (`lock_late`: see
    `db.unit_of_work`; the handler's writes go through a service that calls `db.begin_writing`)."""
    read = reader or read_staff_form

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        request.state.form = FormData()
        if request.method not in SAFE_METHODS:
            check_origin(request)
        if staff and "sid" not in request.session:  # anonymous: to the login page, the body left unread
            return login_redirect(request)
        if request.method not in SAFE_METHODS:
            request.state.form = await read(request)
        try:
            return await run_in_threadpool(_in_unit_of_work, request)
        except IntegrityError:
            if outbox.client_key(request) is None:
                raise
            return await run_in_threadpool(_replayed, request)  # a twin with the same key won the race
        finally:
            if isinstance(request.state.form, FormData):
                await request.state.form.close()

    def _in_unit_of_work(request: Request) -> Response:
        write = request.method not in SAFE_METHODS
        with unit_of_work(request.app.state.engine, write=write, lock_late=lock_late) as session:
            request.state.db = session
            if staff:
                found, expired = current_user(request=request, session=session)
                if found is None:
                    return login_redirect(request, expired=expired)
                request.state.user = found
                request.state.roles = frozenset(found.roles)  # still readable after a rollback
                if found.must_change_password and not _password_page(request, found):
                    return redirect(request, "users:password", username=found.username)
                if not set(found.roles) & (roles or AUDITORS):
                    raise Forbidden("forbidden_role")
            supplied = _supplied_csrf(request)
            if write and csrf and not (csrf_matches(request, supplied) or outbox.same_origin_replay(request)):
                raise Forbidden("csrf_failed")
            key = outbox.client_key(request) if write else None
            if key is None:
                return handler(request)
            owner = request.state.user.id if staff else None
            stored = outbox.find(session=session, request=request, key=key, user_id=owner)
            if stored is not None:
                return _answer_stored(request, stored.path, stored.outcome)
            response = handler(request)
            result = outbox.outcome(response)
            if staff or result.get("ok"):  # a refused public request leaves nothing behind (no write lock)
                outbox.remember(session=session, request=request, key=key, user_id=owner, found=result)
            return outbox.answer(request, result, response)

    def _replayed(request: Request) -> Response:
        key = outbox.client_key(request) or ""
        with unit_of_work(request.app.state.engine, write=False) as session:
            owner = current_user(request=request, session=session)[0] if staff else None
            stored = outbox.find(
                session=session, request=request, key=key, user_id=owner.id if owner else None
            )
            if stored is None:
                raise Conflict("conflict")
            return _answer_stored(request, stored.path, stored.outcome)

    return run


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@functools.cache
def allowed_origins(base_url: str) -> frozenset[str]:
    """The origins a browser may post from: MINGCHA_BASE_URL's (and, when that is a loopback address, the
    other loopback spellings of it: a developer may open http://localhost:8000 for http://127.0.0.1:8000)."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    host = (parts.hostname or "").lower()
    if host not in ("127.0.0.1", "localhost", "::1"):
        return frozenset({origin})
    port = f":{parts.port}" if parts.port else ""
    return frozenset({f"{parts.scheme}://{name}{port}" for name in LOOPBACK} | {origin})


def check_origin(request: Request) -> None:
    """A state change whose `Origin` header names another site is refused (defence in depth beside the CSRF
    token: today's browsers send Origin on every cross-site POST)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin.strip().lower() not in allowed_origins(request.app.state.settings.base_url):
        raise Forbidden("origin_refused")


def _answer_stored(request: Request, path: str, found: dict[str, Any]) -> Response:
    if path != request.url.path[:300]:
        raise Conflict("outbox_key_reused")
    return outbox.answer(request, found)


def _password_page(request: Request, found: User) -> bool:
    """After an admin reset, only the password page (and logging out) open until a new one is chosen."""
    allowed = (f"/users/{found.username}/password", "/logout")
    return request.url.path in allowed


def _supplied_csrf(request: Request) -> str | None:
    header = request.headers.get("X-CSRF-Token")
    if header is not None:
        return header
    data = request.state.form
    value = data.get("_csrf") if isinstance(data, FormData) else None
    return value if isinstance(value, str) else None


def login_redirect(request: Request, *, expired: bool = False) -> Response:
    """Send an anonymous visitor to the login page, then back (htmx: through HX-Redirect)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = (
        request.app.url_path_for("auth:login") + f"?next={quote(target)}" + ("&expired=1" if expired else "")
    )
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": url})
    if outbox.client_key(request) is not None and outbox.wants_outcome(request):
        raise Unauthorized("login_required")  # the outbox keeps the item and says to log in again
    return RedirectResponse(url, status_code=303)


def path_for(request: Request, name: str, *, query: dict[str, Any] | None = None, **params: Any) -> str:
    """The path (never an absolute URL: the request's Host header is not trusted) of a named route, with an
    optional query string."""
    path = str(request.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))
    return path + (f"?{urlencode({k: str(v) for k, v in query.items()})}" if query else "")


def redirect(
    request: Request, name: str, *, fragment: str = "", query: dict[str, Any] | None = None, **params: Any
) -> RedirectResponse:
    """303 to a named route (the POST/redirect/GET pattern), by path."""
    url = path_for(request, name, query=query, **params) + (f"#{fragment}" if fragment else "")
    return RedirectResponse(url, status_code=303)
