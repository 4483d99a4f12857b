"""Heavy files made in the background: ask (POST), watch the state (the page polls with htmx, or refreshes
itself without JavaScript), then download."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import Invalid
from survey_app.models import JobState
from survey_app.routes.staff import LEADS, campaign_access, download, staff_render
from survey_app.services.jobs import requests
from survey_app.web.endpoint import db, endpoint, field, redirect, user
from survey_app.web.templating import is_htmx


def ask(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    what, _dot, fmt = field(request, "export").partition(".")
    kind = field(request, "kind")
    if kind == "report":
        what, fmt = "", field(request, "fmt")
    if kind not in requests.FILE_KINDS:
        raise Invalid("job_kind_unknown")
    job = requests.ask(
        session=db(request),
        campaign=campaign,
        kind=kind,
        params={"what": what, "fmt": fmt},
        actor=user(request).username,
        locale=request.state.locale,
    )
    response = redirect(request, "jobs:page", code=campaign.code, job=job.id)
    response.background = BackgroundTask(request.app.state.jobs.enqueue_job, job.id)  # after the commit
    return response


def page(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    job = requests.of_campaign(session=db(request), campaign=campaign, job_id=request.path_params["job"])
    waiting = job.state in (JobState.QUEUED, JobState.RUNNING)
    context = {"campaign": campaign, "job": job, "waiting": waiting}
    if is_htmx(request):  # the fragment polled every second: the job's state alone
        return staff_render(request, "jobs/_job.html", context)
    recent = requests.recent(session=db(request), campaign=campaign)
    return staff_render(request, "jobs/page.html", {**context, "recent": recent})


def file(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    job = requests.of_campaign(session=db(request), campaign=campaign, job_id=request.path_params["job"])
    return download(requests.result(session=db(request), job=job))


routes = [
    Route("/c/{code}/jobs", endpoint(ask, roles=LEADS), methods=["POST"], name="jobs:ask"),
    Route("/c/{code}/jobs/{job:id}", endpoint(page, roles=LEADS), methods=["GET"], name="jobs:page"),
    Route("/c/{code}/jobs/{job:id}/file", endpoint(file, roles=LEADS), methods=["GET"], name="jobs:file"),
]
