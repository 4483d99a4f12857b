"""The findings register of a campaign (its lead auditors and admins): the list with filters, a finding raised
by hand or from a visit's item, a finding's page and its moves; refusals come back on their form, kept."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.clock import parse_local, utcnow
from survey_app.errors import Conflict, Invalid
from survey_app.models import Campaign, CriterionSource, Finding, FindingType
from survey_app.routes.staff import LEADS, campaign_access, download, staff_render
from survey_app.services.findings import auditees, files, register
from survey_app.services.findings.followups import followup_visits
from survey_app.services.findings.register import FindingInput
from survey_app.services.jobs.files import Output
from survey_app.web.endpoint import db, endpoint, field, redirect, user

FIELDS = (
    "type",
    "criterion_source",
    "criterion_other",
    "clause",
    "description",
    "evidence",
    "origin",
    "deadline",
)


def _list(request: Request, campaign: Campaign, **extra: object) -> Response:
    q = request.query_params
    rows = register.findings_of(
        session=db(request), campaign=campaign, state=q.get("state", ""), kind=q.get("type", "")
    )
    prefill = {k: q.get(k, "")[:2000] for k in ("origin", "clause", "description", "evidence", "type")}
    context = {
        "campaign": campaign,
        "rows": [(f, register.is_overdue(f)) for f in rows],
        "types": list(FindingType),
        "sources": list(CriterionSource),
        "values": prefill,
        "errors": {},
        "filters": {"state": q.get("state", ""), "type": q.get("type", "")},
        "defaults": register.DEFAULT_DAYS,
        **extra,
    }
    page = staff_render(request, "findings/list.html", context)
    if context["errors"]:
        page.status_code = 422
    return page


def findings_page(request: Request) -> Response:
    return _list(request, campaign_access(request, manage=True).campaign)


def finding_raise(request: Request) -> Response:
    """Raise a finding: every problem beside its field, everything typed kept."""
    campaign = campaign_access(request, manage=True).campaign
    values = {name: field(request, name) for name in FIELDS}
    deadline = None
    errors: dict[str, str] = {}
    if values["deadline"]:
        deadline = parse_local(values["deadline"][:10] + "T23:59", campaign.timezone)
        if deadline is None:
            errors["deadline"] = "bad_time"
    data = FindingInput(
        type=values["type"],
        criterion_source=values["criterion_source"],
        criterion_other=values["criterion_other"],
        clause=values["clause"],
        description=values["description"],
        evidence=values["evidence"],
        origin=values["origin"],
        deadline=deadline,
    )
    errors |= register.check(data, utcnow())
    if errors:
        return _list(request, campaign, values=values, errors=errors)
    finding = register.raise_finding(
        session=db(request), campaign=campaign, data=data, actor=user(request).username
    )
    return redirect(request, "findings:detail", code=campaign.code, finding=finding.number)


def _detail(request: Request, campaign: Campaign, finding: Finding, **extra: object) -> Response:
    context = {
        "campaign": campaign,
        "finding": finding,
        "files": files.files_of(session=db(request), finding=finding),
        "followups": followup_visits(session=db(request), finding=finding),
        "overdue": register.is_overdue(finding),
        "moves": register.moves_from(finding),
        "needs": {name: needed for name, (_s, _t, needed) in register.MOVES.items()},
        "problem": None,
        "kept": {},
        **extra,
    }
    page = staff_render(request, "findings/detail.html", context)
    if context["problem"]:
        page.status_code = 409 if context["problem"] == "finding_wrong_state" else 422
    return page


def finding_page(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    finding = register.by_number(
        session=db(request), campaign=campaign, number=request.path_params["finding"]
    )
    return _detail(request, campaign, finding)


def finding_move(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    finding = register.by_number(
        session=db(request), campaign=campaign, number=request.path_params["finding"]
    )
    kept = {
        name: field(request, name)
        for name in ("move", "root_cause", "correction", "corrective_action", "note")
    }
    try:
        register.move(
            session=db(request), finding=finding, name=kept["move"], fields=kept, actor=user(request).username
        )
    except (Invalid, Conflict) as refused:
        return _detail(request, campaign, finding, problem=refused.code, kept=kept)
    return redirect(request, "findings:detail", code=campaign.code, finding=finding.number)


def invite(request: Request) -> Response:
    """Invite the audited organisation: an auditee account on this campaign (its temporary password shown
    once, here), or an existing auditee account added."""
    campaign = campaign_access(request, manage=True).campaign
    values = {k: field(request, k) for k in ("username", "display_name", "email")}
    try:
        invited = auditees.invite(
            session=db(request), campaign=campaign, actor=user(request).username, **values
        )
    except (Invalid, Conflict) as refused:
        page = _list(request, campaign, invite_problem=refused.code, invite_values=values)
        page.status_code = refused.status
        return page
    return _list(request, campaign, invited=invited)


def file_download(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    finding = register.by_number(
        session=db(request), campaign=campaign, number=request.path_params["finding"]
    )
    found = files.open_file(session=db(request), finding=finding, file_id=request.path_params["file"])
    return download(Output(found.data, found.filename, found.media_type))


routes = [
    Route("/c/{code}/findings", endpoint(findings_page, roles=LEADS), methods=["GET"], name="findings:list"),
    Route(
        "/c/{code}/findings", endpoint(finding_raise, roles=LEADS), methods=["POST"], name="findings:raise"
    ),
    Route(
        "/c/{code}/findings/{finding:id}",
        endpoint(finding_page, roles=LEADS),
        methods=["GET"],
        name="findings:detail",
    ),
    Route(
        "/c/{code}/findings/invite",
        endpoint(invite, roles=LEADS),
        methods=["POST"],
        name="findings:invite",
    ),
    Route(
        "/c/{code}/findings/{finding:id}/files/{file:id}",
        endpoint(file_download, roles=LEADS),
        methods=["GET"],
        name="findings:file",
    ),
    Route(
        "/c/{code}/findings/{finding:id}/move",
        endpoint(finding_move, roles=LEADS),
        methods=["POST"],
        name="findings:move",
    ),
]
