"""Campaigns: list, create, overview with live coverage, edit, close, copy as the next cycle."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.clock import localtime, utcnow
from survey_app.i18n import N_, gettext
from survey_app.models import Campaign
from survey_app.reports import charts
from survey_app.routes.staff import LEADS, campaign_access, confirm_page, staff_render
from survey_app.services.campaigns import lifecycle
from survey_app.services.campaigns.access import visible_campaigns
from survey_app.services.campaigns.coverage import Coverage, campaign_coverage
from survey_app.services.campaigns.daily import responses_per_day
from survey_app.services.evaluation.figures import daily_chart
from survey_app.services.findings.reminders import reminders
from survey_app.services.grades import followup
from survey_app.web.endpoint import db, endpoint, field, form, path_for, redirect, user
from survey_app.web.templating import is_htmx


def _posted(request: Request) -> tuple[dict[str, str], list[int]]:
    """The posted campaign form as single values, and the chosen field auditors."""
    data = form(request)
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    chosen = [n for n in (whole_number(v, low=1) for v in data.getlist("field_auditors")) if n is not None]
    return values, chosen


def campaign_list(request: Request) -> Response:
    rows = visible_campaigns(session=db(request), user=user(request))
    due = reminders(session=db(request), user=user(request), now=utcnow())
    return staff_render(request, "campaigns/list.html", {"campaigns": rows, "due": due})


def _form_values(campaign: Campaign) -> dict[str, str]:
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "code": campaign.code,
        "name_zh": campaign.name_zh,
        "name_en": campaign.name_en,
        "organisation": campaign.organisation,
        "certification_body": campaign.certification_body,
        "scope": campaign.scope,
        "timezone": campaign.timezone,
        "callback_rate": f"{campaign.callback_rate * 100:g}",
        "sample_target": "" if campaign.sample_target is None else str(campaign.sample_target),
        "starts_at": localtime(campaign.starts_at, campaign.timezone, fmt),
        "deadline": localtime(campaign.deadline, campaign.timezone, fmt),
        "resident_photos": "yes" if campaign.resident_photos else "",
    }


def campaign_new(request: Request) -> Response:
    """GET shows the form; POST creates the campaign with its team (every problem listed beside its field)."""
    settings = request.app.state.settings
    values = {"timezone": settings.default_timezone, "callback_rate": "10", "scheme": "", "instrument": ""}
    errors: dict[str, str] = {}
    selected: list[int] = []
    if request.method == "POST":
        values, selected = _posted(request)
        fields, errors = lifecycle.check_fields(
            session=db(request), form=values, default_timezone=settings.default_timezone
        )
        if fields is not None:
            campaign = lifecycle.create_campaign(
                session=db(request), user=user(request), fields=fields, field_auditors=selected
            )
            return redirect(request, "campaigns:page", code=campaign.code)
    ctx = {
        "values": values,
        "errors": errors,
        "selected": selected,
        "editing": None,
        **lifecycle.choices(session=db(request)),
    }
    return staff_render(request, "campaigns/form.html", ctx, status_code=422 if errors else 200)


def campaign_page(request: Request) -> Response:
    """The lead auditor's overview: details and live coverage (refreshed by htmx polling)."""
    found = campaign_access(request)
    campaign = found.campaign
    ctx: dict[str, object] = {
        "campaign": campaign,
        "can_manage": found.can_manage,
        "coverage": campaign_coverage(session=db(request), campaign=campaign),
        **lifecycle.setup_of(session=db(request), campaign=campaign),
    }
    if found.can_manage and not is_htmx(request):  # the polled coverage fragment needs none of this
        ctx["recommendations"] = followup.recommendations(session=db(request), campaign=campaign)
        ctx["tasks"] = followup.tasks(session=db(request), campaign=campaign)
        ctx["assignees"] = followup.assignees(session=db(request), campaign=campaign)
        coverage = ctx["coverage"]
        assert isinstance(coverage, Coverage)
        targets = [r.location.target or 0 for r in coverage.rows]
        target = campaign.sample_target or sum(targets) or None
        daily = responses_per_day(session=db(request), campaign=campaign)
        ctx["daily"] = charts.svg(daily_chart(daily, target)) if daily else ""
        ctx["daily_total"] = sum(n for _d, n in daily)
    return staff_render(request, "campaigns/page.html", ctx, fragment="campaigns/_coverage.html")


def campaign_edit(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    session = db(request)
    errors: dict[str, str] = {}
    scheme = lifecycle.setup_of(session=session, campaign=campaign)["scheme"]
    values = {
        **_form_values(campaign),
        "scheme": scheme.code,
        "instrument": str(campaign.survey_instrument_id),
    }
    selected = sorted(lifecycle.field_auditor_ids(session=session, campaign=campaign))
    if request.method == "POST":
        values, selected = _posted(request)
        fields, errors = lifecycle.check_fields(session=session, form=values, editing=campaign)
        if fields is not None:
            actor = user(request).username
            lifecycle.update_campaign(session=session, campaign=campaign, fields=fields, actor=actor)
            lifecycle.assign_field_auditors(
                session=session, campaign=campaign, user_ids=selected, actor=actor
            )
            return redirect(request, "campaigns:page", code=campaign.code)
    ctx = {
        "values": values,
        "errors": errors,
        "selected": selected,
        "editing": campaign,
        **lifecycle.choices(session=session),
    }
    return staff_render(request, "campaigns/form.html", ctx, status_code=422 if errors else 200)


def campaign_close_confirm(request: Request) -> Response:
    """Closing early stops every poster at once: asked first (a page, so it works without JavaScript)."""
    campaign = campaign_access(request, manage=True).campaign
    return confirm_page(
        request,
        title=gettext(N_("Close the survey now?")),
        body=gettext(
            N_(
                "Every poster of this campaign stops accepting answers at once, before the announced "
                "deadline. The closing time is recorded and shown; you can reopen the survey before the "
                "deadline, with a reason."
            )
        ),
        action=path_for(request, "campaigns:close", code=campaign.code),
        button=gettext(N_("Close the survey")),
        back=path_for(request, "campaigns:page", code=campaign.code),
    )


def campaign_close(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    lifecycle.close_campaign(session=db(request), campaign=campaign, actor=user(request).username)
    return redirect(request, "campaigns:page", code=campaign.code)


def campaign_reopen(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    lifecycle.reopen_campaign(
        session=db(request), campaign=campaign, actor=user(request).username, reason=field(request, "reason")
    )
    return redirect(request, "campaigns:page", code=campaign.code)


COPY_FIELDS = ("code", "name_zh", "name_en", "starts_at", "deadline")  # a new cycle gets its own name


def campaign_copy(request: Request) -> Response:
    """Copy as the next surveillance cycle: a new code and window; locations get new tokens."""
    source = campaign_access(request, manage=True).campaign
    session = db(request)
    values = {
        **_form_values(source),
        "code": f"{source.code}-S{source.cycle + 1}",
        "starts_at": "",
        "deadline": "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted, _chosen = _posted(request)
        scheme = lifecycle.setup_of(session=session, campaign=source)["scheme"]
        data = {
            **_form_values(source),
            "scheme": scheme.code,
            "instrument": str(source.survey_instrument_id),
            **{k: posted[k] if k in posted else values.get(k, "") for k in COPY_FIELDS},
        }
        fields, errors = lifecycle.check_fields(session=session, form=data)
        values.update({k: data.get(k, "") for k in COPY_FIELDS})
        if fields is not None:
            copy = lifecycle.copy_as_next_cycle(
                session=session, user=user(request), source=source, fields=fields
            )
            return redirect(request, "campaigns:page", code=copy.code)
    ctx = {"campaign": source, "values": values, "errors": errors}
    return staff_render(request, "campaigns/copy.html", ctx, status_code=422 if errors else 200)


routes = [
    Route("/campaigns", endpoint(campaign_list), methods=["GET"], name="campaigns:list"),
    Route(
        "/campaigns/new", endpoint(campaign_new, roles=LEADS), methods=["GET", "POST"], name="campaigns:new"
    ),
    Route("/c/{code}", endpoint(campaign_page), methods=["GET"], name="campaigns:page"),
    Route(
        "/c/{code}/edit", endpoint(campaign_edit, roles=LEADS), methods=["GET", "POST"], name="campaigns:edit"
    ),
    Route(
        "/c/{code}/close",
        endpoint(campaign_close_confirm, roles=LEADS),
        methods=["GET"],
        name="campaigns:close_confirm",
    ),
    Route("/c/{code}/close", endpoint(campaign_close, roles=LEADS), methods=["POST"], name="campaigns:close"),
    Route(
        "/c/{code}/reopen", endpoint(campaign_reopen, roles=LEADS), methods=["POST"], name="campaigns:reopen"
    ),
    Route(
        "/c/{code}/copy", endpoint(campaign_copy, roles=LEADS), methods=["GET", "POST"], name="campaigns:copy"
    ),
]
