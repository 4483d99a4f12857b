"""The lead auditor's visits: schedule and cancel field visits, follow each sheet, reconcile two raters, and
the campaign's inter-rater rater_agreement."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.clock import parse_local
from survey_app.errors import Forbidden, Invalid
from survey_app.models import Visit
from survey_app.routes.staff import LEADS, campaign_access, staff_render
from survey_app.services.campaigns.access import Access
from survey_app.services.field import (
    capture,
    evidence,
    rater_agreement,
    scheduling,
    visits,
)
from survey_app.services.field.visits import VisitPlan
from survey_app.services.findings.followups import finding_to_verify
from survey_app.services.findings.register import unfinished
from survey_app.web.endpoint import db, endpoint, field, form, redirect, user


def visits_page(request: Request) -> Response:
    access = campaign_access(request, manage=True)
    campaign = access.campaign
    session = db(request)
    pairs, overall = rater_agreement.campaign_agreement(session=session, campaign=campaign)
    names, places, versions = visits.lookups(session=session, campaign=campaign)
    return staff_render(
        request,
        "visits/page.html",
        {
            "campaign": campaign,
            "rows": visits.campaign_visits(session=session, campaign=campaign),
            "names": names,
            "places": places,
            "versions": versions,
            "pairs": pairs,
            "people": {u.username: u.display_name or u.username for u in names.values()},
            "overall": overall,
            **scheduling.schedule_choices(session=session, campaign=campaign),
            "open_findings": unfinished(session=session, campaign=campaign),
            "for_finding": request.query_params.get("finding", "")[:9],
        },
    )


def visit_schedule(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    start = parse_local(field(request, "window_start"), campaign.timezone)
    end = parse_local(field(request, "window_end"), campaign.timezone)
    if start is None or end is None:
        raise Invalid("visit_bad_window")
    ids = [whole_number(v, low=1) for v in form(request).getlist("auditors")]
    auditors = tuple(i for i in ids if i is not None)
    if len(auditors) != len(ids):
        raise Invalid("visit_auditor_not_member")
    instrument = whole_number(field(request, "instrument"), low=1)
    location_text = field(request, "location")
    location = whole_number(location_text, low=1)
    if instrument is None or (location_text and location is None):
        raise Invalid("visit_bad_instrument")
    hours = whole_number(field(request, "writeup_hours", "48"), high=9999)
    plan = VisitPlan(
        instrument_version_id=instrument,
        mode=field(request, "mode"),
        window_start=start,
        window_end=end,
        auditor_ids=auditors,
        location_id=location,
        note=field(request, "note"),
        writeup_hours=48 if hours is None else hours,
        finding_id=finding_to_verify(
            session=db(request), campaign=campaign, number=field(request, "finding")
        ),
    )
    visit = visits.schedule(session=db(request), campaign=campaign, plan=plan, actor=user(request).username)
    return redirect(request, "visits:detail", code=campaign.code, visit=visit.id)


def visit_detail(request: Request) -> Response:
    access = campaign_access(request)
    visit = visits.campaign_visit(
        session=db(request), campaign=access.campaign, visit_id=request.path_params["visit"]
    )
    return _detail_page(request, access, visit)


def _detail_page(request: Request, access: Access, visit: Visit, **extra: object) -> Response:
    """The visit's page (also with a refused form's problem beside that form and what was chosen kept)."""
    campaign, session, me = access.campaign, db(request), user(request)
    sheets = visits.sheets_of(session=session, visit=visit)
    mine = any(s.auditor_id == me.id for s in sheets)
    if not access.can_manage and not mine:
        raise Forbidden("visit_not_yours")
    all_in = bool(sheets) and all(s.submitted_at is not None for s in sheets)
    if not access.can_manage and not all_in:
        raise Forbidden("sheet_blind")
    names, places, _versions = visits.lookups(session=session, campaign=campaign)
    context = {
        "campaign": campaign,
        "visit": visit,
        "sheets": sheets,
        "names": names,
        "instrument": visits.instrument_of(session=session, visit=visit),
        "location": places.get(visit.location_id),
        "evidence": evidence.of_sheets(session=session, sheets=sheets),
        "diffs": visits.differences(session=session, visit=visit, sheets=sheets) if all_in else [],
        "all_in": all_in,
        "skew": capture.skew_seconds,
        "due": capture.writeup_due,
        "can_manage": access.can_manage,
        "problem": None,
        "where": "",
        "kept": {},
        **extra,
    }
    page = staff_render(request, "visits/detail.html", context)
    if context["problem"]:
        page.status_code = 422
    return page


def visit_cancel(request: Request) -> Response:
    access = campaign_access(request, manage=True)
    campaign = access.campaign
    visit = visits.campaign_visit(
        session=db(request), campaign=campaign, visit_id=request.path_params["visit"]
    )
    try:
        visits.cancel(
            session=db(request),
            campaign=campaign,
            visit=visit,
            actor=user(request).username,
            reason=field(request, "reason"),
        )
    except Invalid as refused:
        return _detail_page(request, access, visit, problem=refused.code, where="cancel")
    return redirect(request, "visits:detail", code=campaign.code, visit=visit.id)


def visit_reconcile(request: Request) -> Response:
    access = campaign_access(request)
    campaign, session, me = access.campaign, db(request), user(request)
    visit = visits.campaign_visit(session=session, campaign=campaign, visit_id=request.path_params["visit"])
    if not access.can_manage and not any(
        s.auditor_id == me.id for s in visits.sheets_of(session=session, visit=visit)
    ):
        raise Forbidden("visit_not_yours")
    chosen = {
        k: [v for v in form(request).getlist(k) if isinstance(v, str)]
        for k in form(request)
        if k.startswith("a.")
    }
    try:
        visits.reconcile(
            session=session,
            campaign=campaign,
            visit=visit,
            chosen=chosen,
            note=field(request, "note"),
            actor=me.username,
        )
    except Invalid as refused:
        kept = {k.removeprefix("a."): v[0] for k, v in chosen.items() if v}
        return _detail_page(
            request,
            access,
            visit,
            problem=refused.code,
            where="reconcile",
            kept=kept,
            note=field(request, "note"),
        )
    return redirect(request, "visits:detail", code=campaign.code, visit=visit.id)


routes = [
    Route("/c/{code}/visits", endpoint(visits_page, roles=LEADS), methods=["GET"], name="visits:page"),
    Route(
        "/c/{code}/visits", endpoint(visit_schedule, roles=LEADS), methods=["POST"], name="visits:schedule"
    ),
    Route("/c/{code}/visits/{visit:id}", endpoint(visit_detail), methods=["GET"], name="visits:detail"),
    Route(
        "/c/{code}/visits/{visit:id}/cancel",
        endpoint(visit_cancel, roles=LEADS),
        methods=["POST"],
        name="visits:cancel",
    ),
    Route(
        "/c/{code}/visits/{visit:id}/reconcile",
        endpoint(visit_reconcile),
        methods=["POST"],
        name="visits:reconcile",
    ),
]
