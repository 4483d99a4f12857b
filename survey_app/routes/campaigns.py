"""Campaigns: list, create, overview with live coverage, edit, close, copy as the next cycle."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from survey_app.auth.guard import guarded
from survey_app.models import CampaignStatus, InstrumentVersion, Scheme, User
from survey_app.routes.staff import campaign_or_error, form_dict, staff_render
from survey_app.services import campaigns as svc
from survey_app.services.coverage import campaign_coverage
from survey_app.services.schemes import ensure_schemes
from survey_app.templating import localtime

LEADS = frozenset({"lead", "admin"})


def _choices(session: Session) -> dict[str, object]:
    ensure_schemes(session=session)
    return {
        "schemes": list(session.exec(select(Scheme).order_by(Scheme.code))),
        "instruments": list(
            session.exec(
                select(InstrumentVersion)
                .where(InstrumentVersion.kind == "survey")
                .order_by(col(InstrumentVersion.id))
            )
        ),
        "field_users": [u for u in session.exec(select(User).order_by(User.username)) if "field" in u.roles],
    }


def campaign_list(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = svc.visible_campaigns(session=session, user=request.state.user)
        return staff_render(request, "campaigns/list.html", {"campaigns": rows})


def _form_values(campaign) -> dict[str, str]:  # type: ignore[no-untyped-def]
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "code": campaign.code,
        "name_zh": campaign.name_zh,
        "name_en": campaign.name_en,
        "organisation": campaign.organisation,
        "certification_body": campaign.certification_body,
        "timezone": campaign.timezone,
        "callback_rate": f"{campaign.callback_rate * 100:g}",
        "sample_target": "" if campaign.sample_target is None else str(campaign.sample_target),
        "starts_at": localtime(campaign.starts_at, campaign.timezone, fmt),
        "deadline": localtime(campaign.deadline, campaign.timezone, fmt),
    }


async def campaign_new(request: Request) -> Response:
    """GET shows the form; POST creates the campaign (every problem listed beside its field)."""
    values: dict[str, str] = {
        "timezone": "Asia/Shanghai",
        "callback_rate": "10",
        "scheme": "",
        "instrument": "",
    }
    errors: dict[str, str] = {}
    selected: list[int] = []
    if request.method == "POST":
        values, lists = await form_dict(request)
        selected = [int(v) for v in lists.get("field_auditors", []) if v.isdigit()]
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            clean, errors = svc.check_fields(session=session, form=values)
            if not errors:
                campaign = svc.create_campaign(
                    session=session, user=request.state.user, clean=clean, field_auditors=selected
                )
                return RedirectResponse(f"/c/{campaign.code}", status_code=303)
    with Session(request.app.state.engine) as session:
        ctx = {"values": values, "errors": errors, "selected": selected, "editing": None, **_choices(session)}
        return staff_render(request, "campaigns/form.html", ctx, status_code=422 if errors else 200)


def campaign_page(request: Request) -> Response:
    """The lead auditor's overview: details and live coverage (refreshed by htmx polling)."""
    with Session(request.app.state.engine) as session:
        found = campaign_or_error(request, session)
        if isinstance(found, Response):
            return found
        campaign = found.campaign
        ctx = {
            "campaign": campaign,
            "can_manage": found.can_manage,
            "coverage": campaign_coverage(session=session, campaign=campaign),
            "scheme": session.get(Scheme, campaign.scheme_id),
            "instrument": session.get(InstrumentVersion, campaign.survey_instrument_id),
        }
        return staff_render(request, "campaigns/page.html", ctx, fragment="campaigns/_coverage.html")


async def campaign_edit(request: Request) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        campaign = found.campaign
        errors: dict[str, str] = {}
        values = {**_form_values(campaign), "scheme": "", "instrument": str(campaign.survey_instrument_id)}
        scheme = session.get(Scheme, campaign.scheme_id)
        values["scheme"] = scheme.code if scheme else ""
        selected = sorted(svc.field_auditor_ids(session=session, campaign=campaign))
        if request.method == "POST":
            values, lists = await form_dict(request)
            selected = [int(v) for v in lists.get("field_auditors", []) if v.isdigit()]
            clean, errors = svc.check_fields(session=session, form=values, editing=campaign)
            if not errors:
                for key, value in clean.items():
                    setattr(campaign, key, value)
                session.add(campaign)
                session.commit()
                svc.assign_field_auditors(session=session, campaign=campaign, user_ids=selected)
                return RedirectResponse(f"/c/{campaign.code}", status_code=303)
        ctx = {
            "values": values,
            "errors": errors,
            "selected": selected,
            "editing": campaign,
            **_choices(session),
        }
        return staff_render(request, "campaigns/form.html", ctx, status_code=422 if errors else 200)


async def campaign_close(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        found.campaign.status = CampaignStatus.CLOSED
        session.add(found.campaign)
        session.commit()
        return RedirectResponse(f"/c/{found.campaign.code}", status_code=303)


async def campaign_copy(request: Request) -> Response:
    """Copy as the next surveillance cycle: a new code and window; locations get new tokens."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        source = found.campaign
        values = {
            **_form_values(source),
            "code": f"{source.code}-S{source.cycle + 1}",
            "starts_at": "",
            "deadline": "",
        }
        errors: dict[str, str] = {}
        if request.method == "POST":
            posted, _lists = await form_dict(request)
            scheme = session.get(Scheme, source.scheme_id)
            form = {
                **_form_values(source),
                "scheme": scheme.code if scheme else "",
                "instrument": str(source.survey_instrument_id),
                **posted,
            }
            clean, errors = svc.check_fields(session=session, form=form)
            errors = {k: v for k, v in errors.items() if k in ("code", "starts_at", "deadline")}
            values.update({k: posted.get(k, "") for k in ("code", "starts_at", "deadline")})
            if not errors:
                copy = svc.copy_as_next_cycle(
                    session=session, user=request.state.user, source=source, clean=clean
                )
                return RedirectResponse(f"/c/{copy.code}", status_code=303)
        ctx = {"campaign": source, "values": values, "errors": errors}
        return staff_render(request, "campaigns/copy.html", ctx, status_code=422 if errors else 200)


routes = [
    Route("/campaigns", guarded(campaign_list), methods=["GET"], name="campaigns:list"),
    Route(
        "/campaigns/new", guarded(campaign_new, roles=LEADS), methods=["GET", "POST"], name="campaigns:new"
    ),
    Route("/c/{code}", guarded(campaign_page), methods=["GET"], name="campaigns:page"),
    Route(
        "/c/{code}/edit", guarded(campaign_edit, roles=LEADS), methods=["GET", "POST"], name="campaigns:edit"
    ),
    Route("/c/{code}/close", guarded(campaign_close, roles=LEADS), methods=["POST"], name="campaigns:close"),
    Route(
        "/c/{code}/copy", guarded(campaign_copy, roles=LEADS), methods=["GET", "POST"], name="campaigns:copy"
    ),
]
