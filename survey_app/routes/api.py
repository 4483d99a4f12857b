"""The read API under /api/v1: per-user tokens (Authorization: Bearer), rate-limited per token, read-only,
errors as JSON {"error": {code, status, message}}, described at /api/v1/openapi.json."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from survey_app.api_schema import openapi
from survey_app.endpoint import db, endpoint
from survey_app.errors import Invalid, NotFound, RateLimited
from survey_app.models import Campaign, Location, ident
from survey_app.services import api_data, api_tokens, grading
from survey_app.services.api_tokens import Caller


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
    found = api_tokens.authenticate(session=db(request), header=request.headers.get("authorization", ""))
    request.app.state.api_limiter.check(str(found.token.id))
    api_tokens.touch(request.app.state.engine, found.token)
    return found


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def _campaign(request: Request) -> Campaign:
    return api_tokens.campaign_for(
        session=db(request), caller=caller(request), code=request.path_params["code"]
    )


def openapi_doc(request: Request) -> Response:
    return JSONResponse(openapi(str(request.base_url).rstrip("/")))


def campaigns(request: Request) -> Response:
    found = caller(request)
    rows = db(request).exec(
        select(Campaign)
        .where(col(Campaign.id).in_(list(found.campaign_ids) or [-1]))
        .order_by(col(Campaign.code))
    )
    return _json({"items": [api_data.campaign_json(db(request), c) for c in rows]})


def campaign(request: Request) -> Response:
    return _json(api_data.campaign_json(db(request), _campaign(request)))


def locations(request: Request) -> Response:
    target = _campaign(request)
    rows = db(request).exec(
        select(Location).where(Location.campaign_id == target.id).order_by(col(Location.code))
    )
    return _json({"items": [api_data.location_json(loc) for loc in rows]})


def _whole(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or len(raw) > 12 or not low <= int(raw) <= high:
        raise Invalid("bad_cursor")
    return int(raw)


def responses(request: Request) -> Response:
    target = _campaign(request)
    after = _whole(request, "after", 0, 0, 10**12)
    limit = _whole(request, "limit", 100, 1, api_data.MAX_PAGE)
    return _json(api_data.responses_page(db(request), target, after, limit))


def responses_jsonl(request: Request) -> Response:
    target = _campaign(request)
    stream = api_data.stream_jsonl(request.app.state.engine, ident(target))
    return StreamingResponse(
        stream,
        media_type="application/x-ndjson; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{target.code}.jsonl"',
        },
    )


def callbacks(request: Request) -> Response:
    return _json(api_data.callbacks_json(db(request), _campaign(request)))


def grade(request: Request) -> Response:
    target = _campaign(request)
    result, _inputs = grading.compute(session=db(request), campaign=target)
    return _json(api_data.grade_json(result.to_dict()))


def grade_locked(request: Request) -> Response:
    target = _campaign(request)
    snapshot = grading.latest_snapshot(session=db(request), campaign_id=target.id)
    if snapshot is None:
        raise NotFound("no_locked_grade")
    return _json(api_data.locked_json(snapshot, request.app.state.settings.base_url))


def _api(handler: Any) -> Any:
    return endpoint(handler, staff=False, csrf=False)


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
    Route("/api/v1/campaigns/{code}/grade", _api(grade), methods=["GET"], name="api:grade"),
    Route("/api/v1/campaigns/{code}/grade/locked", _api(grade_locked), methods=["GET"], name="api:locked"),
]
