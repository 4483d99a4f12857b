"""The review desk: the callback queue, a response's detail, contact reveal, call attempts and decisions."""

from __future__ import annotations

import secrets
from datetime import datetime

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.endpoint import db, endpoint, field, form, redirect, user
from survey_app.errors import Invalid, NotFound
from survey_app.models import CallbackOutcome, Campaign, Submission
from survey_app.routes.staff import LEADS, campaign_access, staff_render
from survey_app.services import background, callbacks, grading, response_view, review_queue
from survey_app.services.campaigns import parse_local
from survey_app.services.contacts import reveal
from survey_app.services.locations import campaign_locations

OUTCOMES = [o.value for o in CallbackOutcome]


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def review_page(request: Request) -> Response:
    """The queue (sample first) with filters, and the campaign summary; htmx swaps only the queue."""
    campaign = campaign_access(request, manage=True).campaign
    filters = review_queue.QueueFilters.from_params(_params(request))
    ctx = {
        "campaign": campaign,
        "page": review_queue.queue(db(request), campaign, filters),
        "summary": callbacks.summary(db(request), campaign),
        "locations": campaign_locations(session=db(request), campaign=campaign),
        "families": review_queue.FAMILIES,
        "locked": grading.is_locked(session=db(request), campaign=campaign),
    }
    return staff_render(request, "review/page.html", ctx, fragment="review/_queue.html")


def review_draw(request: Request) -> Response:
    """Ask for the callback sample (drawn by the job worker: at 100,000 responses it takes seconds; the seed
    is recorded, so the draw can be repeated); on to the job's page, which follows it."""
    campaign = campaign_access(request, manage=True).campaign
    if not callbacks.any_scored(db(request), campaign):
        raise Invalid("nothing_to_draw")
    job = background.ask(
        db(request),
        campaign,
        kind="draw",
        params={"seed": str(secrets.randbelow(1_000_000))},
        actor=user(request).username,
        locale=request.state.locale,
    )
    response = redirect(request, "jobs:page", code=campaign.code, job=job.id)
    response.background = BackgroundTask(request.app.state.jobs.enqueue_job, job.id)  # after the commit
    return response


def _response(request: Request, campaign: Campaign) -> Submission:
    found = callbacks.find(db(request), campaign, request.path_params["receipt"])
    if found is None:
        raise NotFound("response_not_found")
    return found


def _detail(request: Request, campaign: Campaign, response: Submission, **extra: object) -> Response:
    ctx = {
        "campaign": campaign,
        "view": response_view.build(db(request), response),
        "outcomes": OUTCOMES,
        "locked": grading.is_locked(session=db(request), campaign=campaign),
        "phone": None,
        **extra,
    }
    return staff_render(request, "review/detail.html", ctx, fragment="review/_contact.html")


def response_detail(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    return _detail(request, campaign, _response(request, campaign))


def contact_reveal(request: Request) -> Response:
    """Show the consenting respondent's phone number (a POST; each reveal is one audit row)."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    phone = reveal(db(request), request.app.state.contacts, response, actor=user(request).username)
    return _detail(request, campaign, response, phone=phone)


def callback_record(request: Request) -> Response:
    """Record one call attempt: when, the outcome, a note."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    called_at: datetime | None = None
    if field(request, "called_at"):
        called_at = parse_local(field(request, "called_at"), campaign.timezone)
        if called_at is None:
            raise Invalid("bad_time")
    callbacks.record_attempt(
        db(request),
        response,
        outcome=field(request, "outcome"),
        note=field(request, "note"),
        actor=user(request).username,
        called_at=called_at,
    )
    return redirect(
        request, "review:detail", code=campaign.code, receipt=response.public_id, fragment="callbacks"
    )


def response_decide(request: Request) -> Response:
    """The lead auditor's decision: count, exclude (with a reason), unreachable, keep pending, re-include."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    callbacks.decide(
        db(request),
        response,
        decision=field(request, "decision"),
        reason=field(request, "reason"),
        actor=user(request).username,
        locked=grading.is_locked(session=db(request), campaign=campaign),
    )
    return redirect(
        request, "review:detail", code=campaign.code, receipt=response.public_id, fragment="decision"
    )


def review_bulk(request: Request) -> Response:
    """One decision for every response of a filtered set: a confirmation page first, then the moves."""
    campaign = campaign_access(request, manage=True).campaign
    posted = {k: v for k, v in form(request).items() if isinstance(v, str)}
    filters = review_queue.QueueFilters.from_params(posted)
    decision, reason = field(request, "decision"), field(request, "reason").strip()
    if decision not in callbacks.DECISIONS:
        raise Invalid("bad_decision")
    if not reason:
        raise Invalid("reason_required")
    rows = review_queue.filtered_responses(db(request), campaign, filters)
    if field(request, "confirm") != "yes":
        ctx = {
            "campaign": campaign,
            "filters": filters,
            "decision": decision,
            "reason": reason,
            "count": len(rows),
        }
        return staff_render(request, "review/confirm_bulk.html", ctx)
    locked = grading.is_locked(session=db(request), campaign=campaign)
    actor = user(request).username
    for response in rows:
        callbacks.decide(db(request), response, decision=decision, reason=reason, actor=actor, locked=locked)
    return redirect(request, "review:page", code=campaign.code)


routes = [
    Route("/c/{code}/review", endpoint(review_page, roles=LEADS), methods=["GET"], name="review:page"),
    Route("/c/{code}/review/draw", endpoint(review_draw, roles=LEADS), methods=["POST"], name="review:draw"),
    Route("/c/{code}/review/bulk", endpoint(review_bulk, roles=LEADS), methods=["POST"], name="review:bulk"),
    Route(
        "/c/{code}/r/{receipt}", endpoint(response_detail, roles=LEADS), methods=["GET"], name="review:detail"
    ),
    Route(
        "/c/{code}/r/{receipt}/reveal",
        endpoint(contact_reveal, roles=LEADS),
        methods=["POST"],
        name="review:reveal",
    ),
    Route(
        "/c/{code}/r/{receipt}/callback",
        endpoint(callback_record, roles=LEADS),
        methods=["POST"],
        name="review:callback",
    ),
    Route(
        "/c/{code}/r/{receipt}/decide",
        endpoint(response_decide, roles=LEADS),
        methods=["POST"],
        name="review:decide",
    ),
]
