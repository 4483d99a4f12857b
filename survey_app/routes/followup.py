"""On-site verification tasks opened from low-score recommendations (seed L399)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.errors import Invalid
from survey_app.routes.staff import LEADS, campaign_access
from survey_app.services.grades import followup
from survey_app.web.endpoint import db, endpoint, field, redirect, user


def task_open(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    assignee = field(request, "assigned_to")
    assigned_to = whole_number(assignee, low=1)
    if assignee and assigned_to is None:
        raise Invalid("unknown_user")
    followup.open_task(
        session=db(request),
        campaign=campaign,
        what=field(request, "what"),
        location_code=field(request, "location_code"),
        assigned_to=assigned_to,
        actor=user(request).username,
    )
    return redirect(request, "campaigns:page", code=campaign.code, fragment="follow-up")


def task_result(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    followup.close_task(
        session=db(request),
        campaign=campaign,
        task_id=request.path_params["task"],
        result=field(request, "result"),
        note=field(request, "note"),
        actor=user(request).username,
    )
    return redirect(request, "campaigns:page", code=campaign.code, fragment="follow-up")


routes = [
    Route("/c/{code}/tasks", endpoint(task_open, roles=LEADS), methods=["POST"], name="tasks:open"),
    Route(
        "/c/{code}/tasks/{task:id}",
        endpoint(task_result, roles=LEADS),
        methods=["POST"],
        name="tasks:result",
    ),
]
