"""Grading pages: the campaign report, locking a grade, the survey analysis report, exports."""

from __future__ import annotations

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from survey_app.auth.guard import guarded
from survey_app.i18n import N_, gettext
from survey_app.models import Campaign, Scheme
from survey_app.reports.analysis_pdf import analysis_pdf
from survey_app.routes.staff import campaign_or_error, staff_render
from survey_app.services import grading
from survey_app.services import report_view as view
from survey_app.services.export import campaign_contract, jsonl
from survey_app.services.schemes import scheme_rules
from survey_app.services.tables import response_rows, result_rows, to_csv, to_xlsx
from survey_app.views import error_page

LEADS = frozenset({"lead", "admin"})
STATUS = {
    "certified": N_("Certified"),
    "not_certified": N_("Not certified"),
    "insufficient_sample": N_("Insufficient sample: no grade yet"),
    "incomplete": N_("Incomplete: a component has no data"),
}


def status_text(result: dict) -> str:
    """The translated verdict of a grade result."""
    message = STATUS[result["status"]]
    return gettext(message)


def _graded(request: Request, session: Session):  # type: ignore[no-untyped-def]
    found = campaign_or_error(request, session, manage=True)
    if isinstance(found, Response):
        return found, None, None
    result, inputs = grading.compute(session=session, campaign=found.campaign)
    return found, result.to_dict(), inputs


def report_page(request: Request) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found, result, inputs = _graded(request, session)
        if isinstance(found, Response):
            return found
        campaign = found.campaign
        rules = scheme_rules(session.get(Scheme, campaign.scheme_id))  # type: ignore[arg-type]
        locked = grading.latest_snapshot(session=session, campaign_id=campaign.id)  # type: ignore[arg-type]
        ctx = {
            "campaign": campaign,
            "result": result,
            "status_text": status_text(result),
            "radar": view.radar(result, request.state.locale, gettext("Dimension scores")),
            "low_items": view.low_items(result),
            "rules": rules,
            "adequacy": view.sample_adequacy(result, inputs.locations, rules.min_sample_location),
            "locked": locked,
            "change": grading.cycle_change(session=session, campaign=campaign, current=result),
        }
        return staff_render(request, "reports/report.html", ctx)


async def report_lock(request: Request) -> Response:
    def work() -> Response:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            found = campaign_or_error(request, session, manage=True)
            if isinstance(found, Response):
                return found
            grading.lock(session=session, campaign=found.campaign, actor=request.state.user.username)
            return RedirectResponse(f"/c/{found.campaign.code}/report", status_code=303)

    return await run_in_threadpool(work)


def analysis_page(request: Request) -> Response:
    """The survey analysis report (seed L401), printable."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found, result, _inputs = _graded(request, session)
        if isinstance(found, Response):
            return found
        ctx = {
            "campaign": found.campaign,
            "result": result,
            "status_text": status_text(result),
            "radar": view.radar(result, request.state.locale, gettext("Dimension scores")),
            "low_items": view.low_items(result),
        }
        return staff_render(request, "reports/analysis.html", ctx)


def analysis_pdf_route(request: Request) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found, result, _inputs = _graded(request, session)
        if isinstance(found, Response):
            return found
        campaign: Campaign = found.campaign
    texts = {
        "heading": gettext("Survey analysis report"),
        "status": gettext("Result: %(status)s") % {"status": status_text(result)},
        "total": gettext("Overall score: %(total)s of %(max)s")
        % {"total": result["total"] or "—", "max": result["total_max"]},
        "rule": result["rule"],
        "dimensions": gettext("Dimension scores"),
        "items": gettext("Item results"),
    }
    name = campaign.name_en if request.state.locale == "en" and campaign.name_en else campaign.name_zh
    data = analysis_pdf(
        result,
        title=name,
        organisation=campaign.organisation,
        texts=texts,
        locale=request.state.locale,
        font_setting=request.app.state.settings.cjk_font,
    )
    headers = {"Content-Disposition": f'attachment; filename="analysis-{campaign.code}.pdf"'}
    return Response(data, media_type="application/pdf", headers=headers)


def export(request: Request) -> Response:
    """responses.csv / .xlsx / .jsonl and results.csv / .xlsx."""
    what, fmt = request.path_params["what"], request.path_params["fmt"]
    if (
        what not in ("responses", "results")
        or fmt not in ("csv", "xlsx", "jsonl")
        or (fmt == "jsonl" and what != "responses")
    ):
        return error_page(request, 404, "not_found")
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        campaign = found.campaign
        if what == "responses" and fmt == "jsonl":
            return Response(
                jsonl(campaign_contract(session=session, campaign=campaign).lines).encode("utf-8"),
                media_type="application/x-ndjson",
                headers=_attachment(campaign, what, fmt),
            )
        if what == "responses":
            rows = list(response_rows(session=session, campaign=campaign))
        else:
            rows = list(result_rows(grading.compute(session=session, campaign=campaign)[0].to_dict()))
    if fmt == "csv":
        return Response(
            to_csv(iter(rows)), media_type="text/csv; charset=utf-8", headers=_attachment(campaign, what, fmt)
        )
    data = to_xlsx(iter(rows), what)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers=_attachment(campaign, what, fmt))


def _attachment(campaign: Campaign, what: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{campaign.code}-{what}.{fmt}"'}


routes = [
    Route("/c/{code}/report", guarded(report_page, roles=LEADS), methods=["GET"], name="reports:page"),
    Route("/c/{code}/report/lock", guarded(report_lock, roles=LEADS), methods=["POST"], name="reports:lock"),
    Route(
        "/c/{code}/report/analysis",
        guarded(analysis_page, roles=LEADS),
        methods=["GET"],
        name="reports:analysis",
    ),
    Route(
        "/c/{code}/report/analysis.pdf",
        guarded(analysis_pdf_route, roles=LEADS),
        methods=["GET"],
        name="reports:analysis_pdf",
    ),
    Route(
        "/c/{code}/export/{what:str}.{fmt:str}",
        guarded(export, roles=LEADS),
        methods=["GET"],
        name="reports:export",
    ),
]
