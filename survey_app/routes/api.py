"""The read API under /api/v1: per-user tokens (Authorization: Bearer), rate-limited per token, read-only,
errors as JSON {"error": {code, status, message}}, described at /api/v1/openapi.json."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.clock import utcnow
from survey_app.db import unit_of_work
from survey_app.errors import Invalid, NotFound, RateLimited
from survey_app.models import Campaign, ident
from survey_app.services.api import read, tokens
from survey_app.services.api.openapi import openapi
from survey_app.services.api.tokens import Caller
from survey_app.services.findings import register
from survey_app.services.grades import grading, locks
from survey_app.web.endpoint import Handler, db, endpoint


class ApiLimiter:
    """Requests per token in a moving window (`limits`; Redis storage shares it between instances)."""

    def __init__(self, storage_uri: str, rate: str) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.rate = parse(rate)

    def check(self, key: str) -> None:
        if not self.limiter.hit(self.rate, f"api:{key}"):
            reset, _remaining = self.limiter.get_window_stats(self.rate, f"api:{key}")
            raise RateLimited("rate_limited", seconds=max(1, math.ceil(reset - time.time())))


def caller(request: Request) -> Caller:
    """The token's caller, within its rate; its last use is recorded by the worker once the answer is sent."""
    found = tokens.authenticate(session=db(request), header=request.headers.get("authorization", ""))
    request.app.state.api_limiter.check(str(found.token.id))
    now = utcnow()
    if tokens.due_for_touch(found.token, now):
        request.state.touch = (ident(found.token), now)
    return found


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _campaign(request: Request, *, lead: bool = False) -> Campaign:
    """The campaign in the path, as this token may see it (`lead`: its responses, callbacks and grades, which
    only its lead auditors and admins read, as in the pages)."""
    return tokens.campaign_for(
        session=db(request), caller=caller(request), code=request.path_params["code"], lead=lead
    )


def openapi_doc(request: Request) -> Response:
    return JSONResponse(openapi(request.app.state.settings.base_url))


def campaigns(request: Request) -> Response:
    return _json(read.campaigns_json(session=db(request), ids=caller(request).campaign_ids))


def campaign(request: Request) -> Response:
    return _json(read.campaign_json(session=db(request), campaign=_campaign(request)))


def locations(request: Request) -> Response:
    return _json(read.locations_json(session=db(request), campaign=_campaign(request)))


def _whole(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    value = default if raw is None else whole_number(raw, low=low, high=high)
    if value is None:
        raise Invalid("bad_cursor")
    return value


def responses(request: Request) -> Response:
    target = _campaign(request, lead=True)
    after = _whole(request, "after", 0, 0, 10**12)
    limit = _whole(request, "limit", 100, 1, read.MAX_PAGE)
    return _json(read.responses_page(session=db(request), campaign=target, after=after, limit=limit))


def responses_jsonl(request: Request) -> Response:
    """Every response as JSONL, streamed in chunks, each read in its own read-only unit of work."""
    target = _campaign(request, lead=True)
    engine, campaign_id = request.app.state.engine, ident(target)

    def chunks() -> Iterator[bytes]:
        after: int | None = 0
        while after is not None:
            with unit_of_work(engine, write=False) as session:
                data, after = read.jsonl_chunk(session=session, campaign_id=campaign_id, after=after)
            if data:
                yield data

    return StreamingResponse(
        chunks(),
        media_type="application/x-ndjson; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{target.code}.jsonl"',
        },
    )


def callbacks(request: Request) -> Response:
    return _json(read.callbacks_json(session=db(request), campaign=_campaign(request, lead=True)))


def findings(request: Request) -> Response:
    """The campaign's findings (its lead auditors and admins only, as in the pages)."""
    campaign = _campaign(request, lead=True)
    rows = register.findings_of(session=db(request), campaign=campaign)
    return _json({"items": [register.as_json(f) for f in sorted(rows, key=lambda f: f.number)]})


def grade(request: Request) -> Response:
    result, _inputs = grading.compute(session=db(request), campaign=_campaign(request, lead=True))
    return _json(read.grade_json(result.to_dict()))


def grade_locked(request: Request) -> Response:
    snapshot = locks.latest_snapshot(session=db(request), campaign_id=ident(_campaign(request, lead=True)))
    if snapshot is None:
        raise NotFound("no_locked_grade")
    return _json(read.locked_json(snapshot, request.app.state.settings.base_url))


def _api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An API endpoint: no session, no CSRF (a bearer token instead); a token's last use is handed to the
    worker once the answer is sent."""

    def answered(request: Request) -> Response:
        response = handler(request)
        touch = getattr(request.state, "touch", None)
        if touch is not None:
            response.background = BackgroundTask(request.app.state.jobs.enqueue_touch, *touch)
        return response

    return endpoint(functools.wraps(handler)(answered), staff=False, csrf=False)


routes = [
    Route("/api/v1/openapi.json", _api(openapi_doc), methods=["GET"], name="api:openapi"),
    Route("/api/v1/campaigns", _api(campaigns), methods=["GET"], name="api:campaigns"),
    Route("/api/v1/campaigns/{code}", _api(campaign), methods=["GET"], name="api:campaign"),
    Route("/api/v1/campaigns/{code}/locations", _api(locations), methods=["GET"], name="api:locations"),
    Route("/api/v1/campaigns/{code}/responses", _api(responses), methods=["GET"], name="api:responses"),
    Route(
        "/api/v1/campaigns/{code}/responses.jsonl", _api(responses_jsonl), methods=["GET"], name="api:jsonl"
    ),
    Route("/api/v1/campaigns/{code}/callbacks", _api(callbacks), methods=["GET"], name="api:callbacks"),
    Route("/api/v1/campaigns/{code}/findings", _api(findings), methods=["GET"], name="api:findings"),
    Route("/api/v1/campaigns/{code}/grade", _api(grade), methods=["GET"], name="api:grade"),
    Route("/api/v1/campaigns/{code}/grade/locked", _api(grade_locked), methods=["GET"], name="api:locked"),
]
