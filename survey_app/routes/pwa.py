"""The installable app: its manifest, the service worker (served from the site root so that it covers every
page), the page shown without signal, and the start address of the installed app."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.i18n import gettext
from survey_app.web.endpoint import endpoint, redirect, user
from survey_app.web.templating import render

# what the worker keeps from its first start: every page's shell (styles, scripts, icons, the offline page)
PRECACHE = (
    "css/app.css",
    "css/nojs.css",
    "css/staff.css",
    "vendor/htmx-2.0.11.min.js",
    "js/survey.js",
    "js/field.js",
    "js/outbox.js",
    "icons/icon-192.png",
)


def manifest(request: Request) -> Response:
    """The web app manifest (Chinese first: the installed app is called 明察)."""
    static = request.app.state.templates.globals["static"]
    body = {
        "name": gettext("Mingcha service certification surveys"),
        "short_name": gettext("Mingcha"),
        "description": gettext("Mingcha: service certification surveys run by the certification body."),
        "lang": "zh-CN" if request.state.locale == "zh_CN" else "en",
        "start_url": "/app",
        "scope": "/",
        "id": "/app",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600", "Vary": "Cookie, Accept-Language"},
    )


@lru_cache(maxsize=4)
def _worker_source(static_dir: Path, urls: tuple[str, ...]) -> str:
    source = (static_dir / "js" / "sw.js").read_text(encoding="utf-8")
    version = hashlib.sha256((source + "".join(urls)).encode()).hexdigest()[:12]
    return source.replace("__VERSION__", version).replace("__PRECACHE__", json.dumps(list(urls)))


def service_worker(request: Request) -> Response:
    """The service worker with this release's version and the versioned addresses it keeps: a new release
    changes its bytes, so phones fetch it, install it beside the old one and drop the old caches."""
    settings = request.app.state.settings
    static = request.app.state.templates.globals["static"]
    urls = (*(static(path) for path in PRECACHE), "/offline")
    return Response(
        _worker_source(Path(settings.static_dir), urls),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


def offline(request: Request) -> Response:
    """Shown by the service worker for a page this phone has not kept, when there is no signal."""
    return render(request, "offline.html")


def start(request: Request) -> Response:
    """Where the installed app opens: a field auditor's visits, everyone else's campaigns."""
    if "field" in user(request).roles:
        return redirect(request, "field:home")
    return redirect(request, "campaigns:list")


routes = [
    Route("/manifest.webmanifest", manifest, methods=["GET"], name="pwa:manifest"),
    Route("/sw.js", service_worker, methods=["GET"], name="pwa:worker"),
    Route("/offline", offline, methods=["GET"], name="pwa:offline"),
    Route("/app", endpoint(start), methods=["GET"], name="pwa:start"),
]
