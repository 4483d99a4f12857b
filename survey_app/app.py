"""The application factory: settings, engine, templates, catalogs, routes, middleware, error pages."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from survey_app import i18n, keyring
from survey_app.auth.throttle import LoginThrottle
from survey_app.db import make_engine, unit_of_work
from survey_app.errors import DomainError
from survey_app.routes import (
    account,
    api,
    audit_log,
    auditee,
    auth,
    campaigns,
    certificate,
    decisions,
    field,
    findings,
    followup,
    instruments,
    interviews,
    jobs,
    locations,
    posters,
    pwa,
    reports,
    review,
    survey,
    users,
    visits,
)
from survey_app.services.review.contacts import ContactCipher, check_key
from survey_app.settings import Settings, load_keyring
from survey_app.web import templating
from survey_app.web.error_pages import domain_error, http_exception, server_error
from survey_app.web.middleware import BodyLimit, ForwardedWarning, LocaleMiddleware, SecurityHeaders
from survey_app.web.templating import make_environment, render
from survey_app.worker.queue import Jobs, start_embedded, stop_embedded


def home(request: Request) -> Response:
    """A short page saying what this server is; surveys are reached from their posters."""
    return render(request, "home.html")


def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the Starlette app; settings come from the environment unless given."""
    settings = settings or Settings.from_env()
    keyring.use(load_keyring(settings))
    engine = make_engine(settings.database_url)

    contacts = ContactCipher(settings.data_key)

    job_queue = Jobs(settings, engine)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with unit_of_work(engine, write=False) as session:  # a wrong key is a clear error at start-up
            check_key(session=session, cipher=contacts)
        worker = start_embedded(settings) if settings.embedded_worker else None
        yield
        job_queue.flush()
        if worker is not None:
            stop_embedded(worker)
        engine.dispose()

    routes = [
        Route("/", home, name="home"),
        Route("/healthz", healthz, name="healthz"),
        *survey.routes,
        *auth.routes,
        *account.routes,
        *users.routes,
        *campaigns.routes,
        *audit_log.routes,
        *findings.routes,
        *decisions.routes,
        *auditee.routes,
        *locations.routes,
        *posters.routes,
        *instruments.routes,
        *reports.routes,
        *review.routes,
        *followup.routes,
        *visits.routes,
        *field.routes,
        *interviews.routes,
        *api.routes,
        *certificate.routes,
        *pwa.routes,
        *jobs.routes,
        Mount("/static", app=StaticFiles(directory=str(settings.static_dir)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(ForwardedWarning, behind_proxy=settings.behind_proxy),
            Middleware(BodyLimit, limit_for=_body_limits(settings)),
            Middleware(GZipMiddleware, minimum_size=500),
            Middleware(LocaleMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="mc_session",
                max_age=settings.session_hours * 3600,
                same_site="lax",
                https_only=settings.https_only,
            ),
        ],
        exception_handlers={
            DomainError: domain_error,
            HTTPException: http_exception,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.contacts = contacts
    app.state.jobs = job_queue
    app.state.catalogs = i18n.load_catalogs()
    app.state.login_throttle = LoginThrottle(settings.ratelimit_storage)
    app.state.api_limiter = api.ApiLimiter(settings.ratelimit_storage, settings.api_rate)
    templates = make_environment(settings.templates_dir)
    templates.globals["static"] = _static_url(settings.static_dir)
    templating.DEFAULT_TIMEZONE = settings.default_timezone
    app.state.templates = templates
    return app


def _static_url(static_dir: Path) -> Callable[[str], str]:
    @lru_cache(maxsize=64)
    def static(path: str) -> str:
        digest = hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:10]
        return f"/static/{path}?v={digest}"

    return static


UPLOAD_PATHS = ("/locations/import", "/instruments")
PHOTO_BODY_BYTES = 16 * 1024 * 1024  # a 15 MB photo with its multipart envelope


def _body_limits(settings: Settings) -> Callable[[str, str], tuple[int, str]]:
    """The largest body a route accepts: survey 1 MB, login 8 KB, upload 10 MB, evidence photo 16 MB, any
    other form 256 KB."""

    def limit_for(method: str, path: str) -> tuple[int, str]:
        if path.startswith("/s/"):
            return settings.hard_body_bytes, "body_too_large"
        if path == "/login":
            return 8 * 1024, "body_too_large"
        if path.startswith("/f/v/") and path.endswith("/photo"):
            return PHOTO_BODY_BYTES, "photo_too_large"
        if path.endswith(UPLOAD_PATHS):
            return 10 * 1024 * 1024, "upload_too_large"
        return 256 * 1024, "body_too_large"

    return limit_for
