"""The certification decision (reviewers): the campaigns awaiting one, a campaign's decision page with what it
rests on, recording a decision (refused for the campaign's own auditors), and the decision letter."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import Conflict, Forbidden, Invalid, NotFound
from survey_app.models import Campaign, CertificationDecision, GradeSnapshot, Job, JobState
from survey_app.routes.staff import download, staff_render
from survey_app.services.decisions import decide as decisions
from survey_app.services.jobs import requests
from survey_app.web.endpoint import db, endpoint, field, redirect, user

REVIEWERS = frozenset({"reviewer", "admin"})  # admins read; only reviewers decide
DECIDERS = frozenset({"reviewer"})


def _campaign(request: Request) -> Campaign:
    found = (
        db(request).exec(select(Campaign).where(Campaign.code == request.path_params["code"][:40])).first()
    )
    if found is None:
        raise NotFound("campaign_not_found")
    return found


def home(request: Request) -> Response:
    """Campaigns with a locked grade: those awaiting a decision first, then the latest decisions."""
    session = db(request)
    locked = session.exec(
        select(Campaign, GradeSnapshot)
        .join(GradeSnapshot, col(GradeSnapshot.campaign_id) == col(Campaign.id))
        .where(col(GradeSnapshot.locked).is_(True), col(GradeSnapshot.reopened_at).is_(None))
        .order_by(col(GradeSnapshot.created_at).desc())
    ).all()
    rows = []
    for campaign, snapshot in locked:
        last = decisions.latest(session=session, campaign_id=campaign.id)
        waiting = last is None or last.snapshot_id != snapshot.id
        rows.append((campaign, snapshot, last, waiting))
    rows.sort(key=lambda r: not r[3])
    return staff_render(request, "decisions/home.html", {"rows": rows})


def _page(request: Request, campaign: Campaign, **extra: object) -> Response:
    session = db(request)
    basis = decisions.basis(session=session, campaign=campaign)
    letters = {
        j.params.get("decision"): j
        for j in session.exec(select(Job).where(Job.campaign_id == campaign.id, Job.kind == "letter"))
    }
    ctx = {
        "campaign": campaign,
        "basis": basis,
        "letters": letters,
        "kinds": basis.allowed(),
        "kept": {},
        "problem": "",
        "impartial": True,
        **extra,
    }
    try:
        decisions.check_impartial(session=session, campaign=campaign, reviewer=user(request))
    except Forbidden:
        ctx["impartial"] = False
    page = staff_render(request, "decisions/page.html", ctx)
    if ctx["problem"]:
        page.status_code = int(str(extra.get("status", 422)))
    return page


def page(request: Request) -> Response:
    return _page(request, _campaign(request))


def record(request: Request) -> Response:
    """Record the decision; its letter is made by the job worker. A refusal comes back on the form, kept."""
    campaign = _campaign(request)
    kept = {"decision": field(request, "decision"), "reasons": field(request, "reasons")}
    try:
        row = decisions.decide(
            session=db(request),
            campaign=campaign,
            reviewer=user(request),
            decision=kept["decision"],
            reasons=kept["reasons"],
        )
    except (Invalid, Conflict, Forbidden) as exc:
        return _page(request, campaign, kept=kept, problem=exc.code, status=exc.status)
    job = requests.ask(
        session=db(request),
        campaign=campaign,
        kind="letter",
        params={"decision": str(row.id)},
        actor=user(request).username,
        locale=request.state.locale,
    )
    response = redirect(request, "decisions:page", code=campaign.code)
    response.background = BackgroundTask(request.app.state.jobs.enqueue_job, job.id)
    return response


def letter(request: Request) -> Response:
    """The decision letter (PDF), once the worker has made it."""
    campaign = _campaign(request)
    session = db(request)
    row = session.get(CertificationDecision, request.path_params["decision"])
    if row is None or row.campaign_id != campaign.id:
        raise NotFound("not_found")
    job = session.exec(
        select(Job)
        .where(Job.campaign_id == campaign.id, Job.kind == "letter", Job.state == JobState.DONE)
        .order_by(col(Job.id).desc())
    ).all()
    for found in job:
        if found.params.get("decision") == str(row.id):
            return download(requests.result(session=session, job=found))
    raise NotFound("job_not_ready")


routes = [
    Route("/decisions", endpoint(home, roles=REVIEWERS), methods=["GET"], name="decisions:home"),
    Route("/c/{code}/decision", endpoint(page, roles=REVIEWERS), methods=["GET"], name="decisions:page"),
    Route("/c/{code}/decision", endpoint(record, roles=DECIDERS), methods=["POST"], name="decisions:record"),
    Route(
        "/c/{code}/decision/{decision:id}/letter.pdf",
        endpoint(letter, roles=REVIEWERS),
        methods=["GET"],
        name="decisions:letter",
    ),
]
