"""Grading pages: the campaign report, locking a grade, the survey analysis report, exports."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import NotFound
from survey_app.i18n import gettext
from survey_app.models import Campaign
from survey_app.reports import charts
from survey_app.routes.staff import LEADS, campaign_access, download, staff_render
from survey_app.services.campaigns.locations import campaign_locations
from survey_app.services.decisions.decide import latest as latest_decision
from survey_app.services.evaluation.breakdown import dimension_by_group
from survey_app.services.evaluation.figures import trend_chart
from survey_app.services.findings.register import findings_of
from survey_app.services.grades import cycles, large_grades, locks, presentation
from survey_app.services.grades.presentation import status_text
from survey_app.services.grades.schemes import campaign_rules
from survey_app.services.jobs import files
from survey_app.web.endpoint import db, endpoint, field, redirect, user


def _graded(request: Request, campaign: Campaign) -> tuple[dict[str, Any], dict[str, int]] | Response:
    """The grade and the responses per location, or the page that offers to compute a large one."""
    found = large_grades.for_page(
        session=db(request), campaign=campaign, inline_limit=request.app.state.settings.grade_inline_limit
    )
    if isinstance(found, large_grades.Waiting):
        ctx = {"campaign": campaign, "count": found.count, "job": found.job, "stale": found.stale}
        return staff_render(request, "reports/grade_wait.html", ctx)
    return found


def _grade_context(
    request: Request, campaign: Campaign, result: dict[str, Any], locations: dict[str, int]
) -> dict[str, Any]:
    """What every page about the grade shows: the result, its verdict and the sample's adequacy (the
    locations that block a grade named, with what they have and lack)."""
    rules = campaign_rules(session=db(request), campaign=campaign)
    names = {loc.code: loc.name for loc in campaign_locations(session=db(request), campaign=campaign)}
    return {
        "campaign": campaign,
        "result": result,
        "status_text": status_text(result),
        "rules": rules,
        "adequacy": presentation.sample_adequacy(result, locations, rules.min_sample_location, names),
    }


def report_page(request: Request) -> Response:
    """The grade, the radar, the items to improve, sample adequacy, the locked record and the last cycle."""
    campaign = campaign_access(request, manage=True).campaign
    session = db(request)
    graded = _graded(request, campaign)
    if isinstance(graded, Response):
        return graded
    result, locations = graded
    ctx = {
        **_grade_context(request, campaign, result, locations),
        "radar": presentation.radar(result, request.state.locale, gettext("Dimension scores")),
        "low_items": presentation.low_items(result),
        "locked": locks.latest_snapshot(session=session, campaign_id=campaign.id),
        "change": cycles.cycle_change(session=session, campaign=campaign, current=result),
    }
    ctx["decision"] = latest_decision(session=session, campaign_id=campaign.id)
    ctx["carried"] = [f for f in findings_of(session=session, campaign=campaign) if f.carried_from]
    history = cycles.history(session=session, campaign=campaign, current=result)
    if len(history) > 1:
        ctx["trend"] = charts.svg(trend_chart(history))
        ctx["history"] = history
    return staff_render(request, "reports/report.html", ctx)


def report_lock_confirm(request: Request) -> Response:
    """Locking makes the grade the record: asked first, saying exactly what will be locked."""
    campaign = campaign_access(request, manage=True).campaign
    graded = _graded(request, campaign)
    if isinstance(graded, Response):
        return graded
    result, locations = graded
    ctx = {
        **_grade_context(request, campaign, result, locations),
        "fingerprint": locks.fingerprint(result),
        "counted": sum(c["n"] for c in result["components"] if c["source"] == "survey"),
        "excluded": sum(result.get("excluded", {}).values()),
        "incomplete": [c for c in result["components"] if c["score"] is None],
        "certified": result["status"] == "certified",
        "locked": locks.latest_snapshot(session=db(request), campaign_id=campaign.id),
    }
    return staff_render(request, "reports/lock_confirm.html", ctx)


def report_lock(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    if not locks.is_locked(session=db(request), campaign=campaign):  # a double submit locks once
        locks.lock(
            session=db(request),
            campaign=campaign,
            actor=user(request).username,
            no_certificate=field(request, "no_certificate") == "yes",
            expected=field(request, "expected"),
        )
    return redirect(request, "reports:page", code=campaign.code)


def report_reopen(request: Request) -> Response:
    """Reopen a locked grade; the reason is required and logged."""
    campaign = campaign_access(request, manage=True).campaign
    locks.reopen(
        session=db(request), campaign=campaign, actor=user(request).username, reason=field(request, "reason")
    )
    return redirect(request, "reports:page", code=campaign.code)


def analysis_page(request: Request) -> Response:
    """The survey analysis report (seed L401), printable."""
    campaign = campaign_access(request, manage=True).campaign
    graded = _graded(request, campaign)
    if isinstance(graded, Response):
        return graded
    result, locations = graded
    settings = request.app.state.settings
    ctx = {
        **_grade_context(request, campaign, result, locations),
        "radar": presentation.radar(result, request.state.locale, gettext("Dimension scores")),
        "low_items": presentation.low_items(result),
        "breakdown": dimension_by_group(session=db(request), campaign=campaign, min_n=settings.min_cell),
    }
    return staff_render(request, "reports/analysis.html", ctx)


def breakdown_download(request: Request) -> Response:
    """The dimension x building table as CSV or xlsx, small cells hidden as on the page; an audit row."""
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise NotFound("not_found")
    campaign = campaign_access(request, manage=True).campaign
    session = db(request)
    files.record_export(
        session=session, campaign=campaign, actor=user(request).username, name=f"breakdown.{fmt}"
    )
    table = dimension_by_group(session=session, campaign=campaign, min_n=request.app.state.settings.min_cell)
    return download(files.breakdown(table, campaign=campaign, fmt=fmt))


def analysis_pdf_route(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    found = files.analysis(
        session=db(request),
        campaign=campaign,
        settings=request.app.state.settings,
        locale=request.state.locale,
    )
    return download(found)


def export(request: Request) -> Response:
    """responses.csv / .xlsx / .jsonl and results.csv / .xlsx; every download is an audit row."""
    what, fmt = request.path_params["what"], request.path_params["fmt"]
    if (what, fmt) not in files.EXPORTS:
        raise NotFound("not_found")
    campaign = campaign_access(request, manage=True).campaign
    session = db(request)
    files.record_export(
        session=session, campaign=campaign, actor=user(request).username, name=f"{what}.{fmt}"
    )
    return download(files.export(session=session, campaign=campaign, what=what, fmt=fmt))


routes = [
    Route("/c/{code}/report", endpoint(report_page, roles=LEADS), methods=["GET"], name="reports:page"),
    Route(
        "/c/{code}/report/lock",
        endpoint(report_lock_confirm, roles=LEADS),
        methods=["GET"],
        name="reports:lock_confirm",
    ),
    Route("/c/{code}/report/lock", endpoint(report_lock, roles=LEADS), methods=["POST"], name="reports:lock"),
    Route(
        "/c/{code}/report/reopen",
        endpoint(report_reopen, roles=LEADS),
        methods=["POST"],
        name="reports:reopen",
    ),
    Route(
        "/c/{code}/report/analysis",
        endpoint(analysis_page, roles=LEADS),
        methods=["GET"],
        name="reports:analysis",
    ),
    Route(
        "/c/{code}/report/analysis.pdf",
        endpoint(analysis_pdf_route, roles=LEADS),
        methods=["GET"],
        name="reports:analysis_pdf",
    ),
    Route(
        "/c/{code}/report/breakdown.{fmt:str}",
        endpoint(breakdown_download, roles=LEADS),
        methods=["POST"],
        name="reports:breakdown",
    ),
    Route(
        "/c/{code}/export/{what:str}.{fmt:str}",
        endpoint(export, roles=LEADS),
        methods=["POST"],
        name="reports:export",
    ),
]
