"""Per-request middleware: security and cache headers, and the request's locale."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from survey_app import i18n
from survey_app.errors import TooLarge

log = logging.getLogger("survey_app")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class SecurityHeaders:
    """Pure ASGI middleware adding security and caching headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        versioned = scope["path"].startswith("/static/") and b"v=" in scope.get("query_string", b"")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if versioned and message["status"] == 200:
                    headers["Cache-Control"] = "public, max-age=31536000, immutable"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LocaleMiddleware:
    """Negotiate the request's locale once and activate its catalog for everything downstream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        locale = i18n.negotiate(request)
        scope.setdefault("state", {})["locale"] = locale
        i18n.activate(scope["app"].state.catalogs[locale], locale)
        if not i18n.normalise(request.query_params.get("lang")):
            await self.app(scope, receive, send)
            return
        # a language chosen with ?lang= stays chosen on the next pages (a cookie, a year, this site only)
        cookie = SimpleCookie()
        cookie[i18n.COOKIE] = locale
        morsel = cookie[i18n.COOKIE]
        morsel.update({"path": "/", "max-age": str(365 * 86400), "samesite": "lax", "httponly": "1"})

        async def remembering(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", morsel.OutputString())
            await send(message)

        await self.app(scope, receive, remembering)


class BodyLimit:
    """Bound every request body before anything parses or spools it, whatever the transfer encoding.

    `limit_for(method, path)` gives the limit and its message; a declared Content-Length over it, or more
    bytes arriving than it (chunked), raise TooLarge inside the request, which the app turns into a 413 page.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str, str], tuple[int, str]]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit, code = self.limit_for(scope["method"], scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        too_big = declared.isdigit() and int(declared) > limit
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            if too_big:
                raise TooLarge(code)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(code)
            return message

        await self.app(scope, bounded, send)


class ForwardedWarning:
    """Say once, in the log, that requests come through a proxy while `serve` was started without
    --behind-proxy: every client then has the proxy's address, so the login throttle and the survey's
    per-address signals lump them all together."""

    def __init__(self, app: ASGIApp, behind_proxy: bool) -> None:
        self.app = app
        self.warned = behind_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.warned and scope["type"] == "http":
            if any(name == b"x-forwarded-for" for name, _ in scope.get("headers") or []):
                self.warned = True
                log.warning(
                    "requests carry X-Forwarded-For, but the server was started without --behind-proxy: "
                    "every client appears with the proxy's address (one login throttle and one network for "
                    "all). Restart with: python -m survey_app serve --behind-proxy"
                )
        await self.app(scope, receive, send)
