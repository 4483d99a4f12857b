"""The review desk: the callback queue, a response's detail, contact reveal, call attempts and decisions."""

from __future__ import annotations

import secrets

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app import i18n
from survey_app.clock import parse_local
from survey_app.errors import Invalid, NotFound
from survey_app.i18n import N_
from survey_app.models import Blob, CallbackOutcome, Campaign, SurveyResponse
from survey_app.routes.staff import LEADS, campaign_access, staff_render
from survey_app.services.campaigns.locations import campaign_locations
from survey_app.services.jobs import requests
from survey_app.services.review import callbacks, queue, response_detail, status, summary
from survey_app.services.review.contacts import reveal
from survey_app.web.endpoint import db, endpoint, field, form, redirect, user

OUTCOMES = [o.value for o in CallbackOutcome]
DENIED_REASON = N_("The respondent denied answering when called back.")


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def _frozen(request: Request, campaign: Campaign) -> bool:
    return status.moves_frozen(session=db(request), campaign_id=campaign.id or 0)


def review_page(request: Request) -> Response:
    """The queue (sample first) with filters, and the campaign summary; htmx swaps only the queue."""
    campaign = campaign_access(request, manage=True).campaign
    session = db(request)
    filters = queue.QueueFilters.from_params(_params(request))
    ctx = {
        "campaign": campaign,
        "page": queue.queue(session=session, campaign=campaign, filters=filters),
        "summary": summary.summary(session=session, campaign=campaign),
        "locations": campaign_locations(session=session, campaign=campaign),
        "families": queue.FAMILIES,
        "locked": _frozen(request, campaign),
    }
    return staff_render(request, "review/page.html", ctx, fragment="review/_queue.html")


def review_draw(request: Request) -> Response:
    """Ask for the callback sample (drawn by the job worker: at 100,000 responses it takes seconds; the seed
    is recorded, so the draw can be repeated); on to the job's page, which follows it. The sample is drawn
    once: a further draw needs its confirmation page, a reason and the lead auditor's name."""
    campaign = campaign_access(request, manage=True).campaign
    session, me = db(request), user(request)
    redraw = field(request, "redraw") == "yes"
    if callbacks.draws(session=session, campaign=campaign) and not redraw:
        return redirect(request, "review:draw_confirm", code=campaign.code)
    reason = field(request, "reason").strip()
    if redraw and field(request, "name").strip().lower() not in {
        me.username.lower(),
        me.display_name.lower(),
    }:
        return _redraw_page(request, campaign, problem="redraw_name", status_code=422)
    try:
        callbacks.check_draw(session=session, campaign=campaign, reason=reason, redraw=redraw)
    except Invalid as exc:
        if not redraw:
            raise
        return _redraw_page(request, campaign, problem=exc.code, status_code=422)
    params = {
        "seed": str(secrets.randbelow(1_000_000)),
        "reason": reason[:1000],
        "redraw": "1" if redraw else "",
    }
    job = requests.ask(
        session=session,
        campaign=campaign,
        kind="draw",
        params=params,
        actor=me.username,
        locale=request.state.locale,
    )
    response = redirect(request, "jobs:page", code=campaign.code, job=job.id)
    response.background = BackgroundTask(request.app.state.jobs.enqueue_job, job.id)  # after the commit
    return response


def _redraw_page(
    request: Request, campaign: Campaign, *, problem: str = "", status_code: int = 200
) -> Response:
    ctx = {
        "campaign": campaign,
        "summary": summary.summary(session=db(request), campaign=campaign),
        "problem": problem,
        "reason": field(request, "reason"),
        "locked": _frozen(request, campaign),
    }
    return staff_render(request, "review/redraw.html", ctx, status_code=status_code)


def review_draw_confirm(request: Request) -> Response:
    """A further draw is asked for here: the draws so far, a reason, the lead auditor's name (before the
    first draw there is nothing to confirm: back to the desk, where it is drawn)."""
    campaign = campaign_access(request, manage=True).campaign
    if not callbacks.draws(session=db(request), campaign=campaign):
        return redirect(request, "review:page", code=campaign.code)
    return _redraw_page(request, campaign)


def _response(request: Request, campaign: Campaign) -> SurveyResponse:
    return callbacks.find(session=db(request), campaign=campaign, receipt=request.path_params["receipt"])


def _detail(request: Request, campaign: Campaign, response: SurveyResponse, **extra: object) -> Response:
    ctx = {
        "campaign": campaign,
        "view": response_detail.build(session=db(request), response=response),
        "outcomes": OUTCOMES,
        "locked": _frozen(request, campaign),
        "phone": None,
        "suggested": {o: callbacks.suggested_decision(o) for o in OUTCOMES},
        "problem": None,
        "call": None,
        "decided": None,
        **extra,
    }
    return staff_render(request, "review/detail.html", ctx, fragment="review/_contact.html")


def response_page(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    return _detail(request, campaign, _response(request, campaign))


def response_photo(request: Request) -> Response:
    """A resident's photo answer, for the campaign's lead auditors (re-encoded when it came: no metadata)."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    key = response.answers.get(request.path_params["item"])
    blob = db(request).get(Blob, key) if isinstance(key, str) and len(key) == 64 else None
    if blob is None or not blob.media_type.startswith("image/"):
        raise NotFound("not_found")
    return Response(
        blob.data,
        media_type=blob.media_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def contact_reveal(request: Request) -> Response:
    """Show the consenting respondent's phone number (a POST; each reveal is one audit row)."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    phone = reveal(
        session=db(request),
        cipher=request.app.state.contacts,
        response=response,
        actor=user(request).username,
    )
    return _detail(request, campaign, response, phone=phone)


def _kept(request: Request, *names: str) -> dict[str, str]:
    return {name: field(request, name) for name in names}


def callback_record(request: Request) -> Response:
    """One call and its decision in one step: when, the outcome, a note, and what counts (by default what the
    outcome suggests). A refusal (an exclusion without a reason, a bad time) comes back on the form, kept."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    kept = _kept(request, "outcome", "called_at", "note", "decision", "reason")
    called_at = None
    if kept["called_at"]:
        called_at = parse_local(kept["called_at"], campaign.timezone)
        if called_at is None:
            return _refused(request, campaign, response, "bad_time", call=kept)
    reason = kept["reason"]
    if kept["decision"] in ("", "follow") and callbacks.suggested_decision(kept["outcome"]) == "exclude":
        reason = reason.strip() or i18n.gettext(DENIED_REASON)
    try:
        callbacks.record_call(
            session=db(request),
            response=response,
            outcome=kept["outcome"],
            note=kept["note"],
            decision=kept["decision"],
            reason=reason,
            actor=user(request).username,
            called_at=called_at,
        )
    except Invalid as refused:
        return _refused(request, campaign, response, refused.code, call=kept)
    return redirect(
        request, "review:detail", code=campaign.code, receipt=response.public_id, fragment="callbacks"
    )


def _refused(
    request: Request, campaign: Campaign, response: SurveyResponse, code: str, **kept: dict[str, str]
) -> Response:
    """The response's page again, with the problem beside the form that caused it and what was typed kept."""
    page = _detail(request, campaign, response, problem=code, **kept)
    page.status_code = 422
    return page


def response_decide(request: Request) -> Response:
    """The lead auditor's decision: count, exclude (with a reason), unreachable, keep pending, re-include."""
    campaign = campaign_access(request, manage=True).campaign
    response = _response(request, campaign)
    kept = _kept(request, "decision", "reason")
    try:
        callbacks.decide(
            session=db(request),
            response=response,
            decision=kept["decision"],
            reason=kept["reason"],
            actor=user(request).username,
        )
    except Invalid as refused:
        return _refused(request, campaign, response, refused.code, decided=kept)
    return redirect(
        request, "review:detail", code=campaign.code, receipt=response.public_id, fragment="decision"
    )


def review_bulk(request: Request) -> Response:
    """One decision for every response of a filtered set: a confirmation page first, then the moves."""
    campaign = campaign_access(request, manage=True).campaign
    posted = {k: v for k, v in form(request).items() if isinstance(v, str)}
    filters = queue.QueueFilters.from_params(posted)
    decision, reason = field(request, "decision"), field(request, "reason").strip()
    if decision not in callbacks.DECISIONS:
        raise Invalid("bad_decision")
    if not reason:
        raise Invalid("reason_required")
    rows = queue.filtered_responses(session=db(request), campaign=campaign, filters=filters)
    if field(request, "confirm") != "yes":
        ctx = {
            "campaign": campaign,
            "filters": filters,
            "decision": decision,
            "reason": reason,
            "count": len(rows),
        }
        return staff_render(request, "review/confirm_bulk.html", ctx)
    actor = user(request).username
    for response in rows:
        callbacks.decide(
            session=db(request), response=response, decision=decision, reason=reason, actor=actor
        )
    return redirect(request, "review:page", code=campaign.code)


routes = [
    Route("/c/{code}/review", endpoint(review_page, roles=LEADS), methods=["GET"], name="review:page"),
    Route("/c/{code}/review/draw", endpoint(review_draw, roles=LEADS), methods=["POST"], name="review:draw"),
    Route(
        "/c/{code}/review/draw",
        endpoint(review_draw_confirm, roles=LEADS),
        methods=["GET"],
        name="review:draw_confirm",
    ),
    Route("/c/{code}/review/bulk", endpoint(review_bulk, roles=LEADS), methods=["POST"], name="review:bulk"),
    Route(
        "/c/{code}/r/{receipt}", endpoint(response_page, roles=LEADS), methods=["GET"], name="review:detail"
    ),
    Route(
        "/c/{code}/r/{receipt}/photo/{item}",
        endpoint(response_photo, roles=LEADS),
        methods=["GET"],
        name="review:photo",
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
