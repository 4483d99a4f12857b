"""Heavy files made in the background: ask (POST), watch the state (the page polls with htmx, or refreshes
itself without JavaScript), then download."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.endpoint import db, endpoint, field, user
from survey_app.errors import Invalid, NotFound
from survey_app.models_field import Blob
from survey_app.models_jobs import Job, JobState
from survey_app.routes.staff import LEADS, campaign_access, download, staff_render
from survey_app.services import background
from survey_app.services.job_files import Output
from survey_app.templating import is_htmx


def ask(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    what, _dot, fmt = field(request, "export").partition(".")
    kind = field(request, "kind")
    if kind not in background.FILE_KINDS:
        raise Invalid("job_kind_unknown")
    job = background.ask(
        db(request),
        campaign,
        kind=kind,
        params={"what": what, "fmt": fmt},
        actor=user(request).username,
        locale=request.state.locale,
    )
    url = request.url_for("jobs:page", code=campaign.code, job=job.id)
    response = Response(status_code=303, headers={"Location": str(url.path)})
    response.background = BackgroundTask(request.app.state.jobs.enqueue_job, job.id)  # after the commit
    return response


def page(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    job = background.of_campaign(db(request), campaign, request.path_params["job"])
    waiting = job.state in (JobState.QUEUED, JobState.RUNNING)
    context = {"campaign": campaign, "job": job, "waiting": waiting}
    if is_htmx(request):  # the fragment polled every second: the job's state alone
        return staff_render(request, "jobs/_job.html", context)
    recent = select(Job).where(Job.campaign_id == campaign.id).order_by(col(Job.id).desc()).limit(10)
    return staff_render(request, "jobs/page.html", {**context, "recent": list(db(request).exec(recent))})


def file(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    job = background.of_campaign(db(request), campaign, request.path_params["job"])
    blob = db(request).get(Blob, job.result_sha256) if job.result_sha256 else None
    if job.state != JobState.DONE or blob is None:
        raise NotFound("job_not_ready")
    return download(Output(blob.data, job.filename, blob.media_type))


routes = [
    Route("/c/{code}/jobs", endpoint(ask, roles=LEADS), methods=["POST"], name="jobs:ask"),
    Route("/c/{code}/jobs/{job:int}", endpoint(page, roles=LEADS), methods=["GET"], name="jobs:page"),
    Route("/c/{code}/jobs/{job:int}/file", endpoint(file, roles=LEADS), methods=["GET"], name="jobs:file"),
]
