"""On-site verification tasks opened from low-score recommendations (seed L399)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.endpoint import db, endpoint, field, redirect, user
from survey_app.errors import Invalid
from survey_app.routes.staff import LEADS, campaign_access
from survey_app.services import followup


def task_open(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    assignee = field(request, "assigned_to")
    if assignee and not assignee.isdigit():
        raise Invalid("unknown_user")
    followup.open_task(
        db(request),
        campaign,
        what=field(request, "what"),
        location_code=field(request, "location_code"),
        assigned_to=int(assignee) if assignee and len(assignee) < 10 else None,
        actor=user(request).username,
    )
    return redirect(request, "campaigns:page", code=campaign.code, fragment="follow-up")


def task_result(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    followup.close_task(
        db(request),
        campaign,
        request.path_params["task"],
        result=field(request, "result"),
        note=field(request, "note"),
        actor=user(request).username,
    )
    return redirect(request, "campaigns:page", code=campaign.code, fragment="follow-up")


routes = [
    Route("/c/{code}/tasks", endpoint(task_open, roles=LEADS), methods=["POST"], name="tasks:open"),
    Route(
        "/c/{code}/tasks/{task:int}",
        endpoint(task_result, roles=LEADS),
        methods=["POST"],
        name="tasks:result",
    ),
]
