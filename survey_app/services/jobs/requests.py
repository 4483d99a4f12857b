"""Heavy work asked for by a lead auditor and done by the job worker while they watch its state — files
(posters, analysis, exports, a large grade) and the callback draw: asked for (queued), running, done (a file
kept in the blob table, or the draw stored) or failed (with the reason). One door per change: every state move
of a job is here; the worker (`survey_app.worker.tasks`) opens the units of work these run in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.errors import DomainError, Invalid, NotFound
from survey_app.models import Blob, Campaign, Job, JobState, ident
from survey_app.services.field.evidence import put_blob
from survey_app.services.jobs import files
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.settings import Settings

FILE_KINDS = (
    "posters",
    "analysis",
    "export",
    "grade",
    "report",
)  # what the buttons posting to the jobs page ask for
KINDS = (*FILE_KINDS, "draw", "letter")  # the draw from the review desk; the letter by a decision
STUCK = timedelta(minutes=15)  # running this long: its worker died; it is run again


def ask(
    *, session: Session, campaign: Campaign, kind: str, params: dict[str, str], actor: str, locale: str
) -> Job:
    """Queue a job (the caller enqueues it once this unit of work has committed)."""
    if kind not in KINDS:
        raise Invalid("job_kind_unknown")
    if kind == "export" and (params.get("what"), params.get("fmt")) not in files.EXPORTS:
        raise Invalid("job_kind_unknown")
    if kind == "report" and params.get("fmt") not in files.REPORT_FORMATS:
        raise Invalid("job_kind_unknown")
    keeps = {
        "export": ("what", "fmt"),
        "draw": ("seed", "reason", "redraw"),
        "report": ("fmt",),
        "letter": ("decision",),
    }
    keep = keeps.get(kind, ())
    clean: dict[str, Any] = {k: params[k] for k in keep if k in params}
    job = Job(campaign_id=ident(campaign), kind=kind, params=clean, locale=locale, created_by=actor[:60])
    session.add(job)
    session.flush()
    if kind == "export":
        files.record_export(
            session=session, campaign=campaign, actor=actor, name=f"{clean['what']}.{clean['fmt']}"
        )
    return job


def of_campaign(*, session: Session, campaign: Campaign, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.campaign_id != campaign.id:
        raise NotFound("not_found")
    return job


def recent(*, session: Session, campaign: Campaign, limit: int = 10) -> list[Job]:
    """The campaign's latest jobs, newest first."""
    query = select(Job).where(Job.campaign_id == campaign.id).order_by(col(Job.id).desc()).limit(limit)
    return list(session.exec(query))


def result(*, session: Session, job: Job) -> files.Output:
    """A finished job's file (NotFound until it is ready)."""
    blob = session.get(Blob, job.result_sha256) if job.result_sha256 else None
    if job.state != JobState.DONE or blob is None:
        raise NotFound("job_not_ready")
    return files.Output(blob.data, job.filename, blob.media_type)


def start(*, session: Session, job_id: int) -> Job | None:
    """queued -> running; None when the job is gone, finished, or running in another (live) worker."""
    job = session.get(Job, job_id)
    if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
        return None
    if job.state == JobState.RUNNING and job.started_at and utcnow() - job.started_at < STUCK:
        return None  # another worker has it
    job.state, job.started_at = JobState.RUNNING, utcnow()
    session.add(job)
    return job


def make(*, session: Session, job: Job, settings: Settings) -> files.Output:
    """The file a job makes (read-only: run in a unit that never writes)."""
    campaign = session.get(Campaign, job.campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found")
    params = job.params
    if job.kind == "posters":
        return files.posters(session=session, campaign=campaign, settings=settings)
    if job.kind == "analysis":
        return files.analysis(session=session, campaign=campaign, settings=settings, locale=job.locale)
    if job.kind == "grade":
        return files.grade(session=session, campaign=campaign)
    if job.kind == "letter":
        return files.letter(
            session=session,
            campaign=campaign,
            settings=settings,
            decision_id=int(params.get("decision") or 0),
        )
    if job.kind == "report":
        return files.report(session=session, campaign=campaign, settings=settings, fmt=str(params.get("fmt")))
    return files.export(
        session=session, campaign=campaign, what=str(params.get("what")), fmt=str(params.get("fmt"))
    )


def finish(*, session: Session, job_id: int, output: files.Output | None, message: str = "") -> str:
    """running -> done with its file, or failed with the reason (a message code)."""
    job = session.get(Job, job_id)
    if job is None:
        return "skipped"
    if output is not None:
        job.result_sha256 = put_blob(session=session, data=output.data, media_type=output.media_type)
        job.filename = output.filename[:120]
    job.state = JobState.FAILED if message else JobState.DONE
    job.message, job.finished_at = message[:500], utcnow()
    session.add(job)
    return str(job.state)


def draw(*, session: Session, job_id: int) -> str:
    """The callback draw: its picks, status moves, audit rows and the job's end in the caller's one
    transaction, so a draw is stored whole exactly once (a worker that dies half-way leaves nothing)."""
    job = session.get(Job, job_id)
    campaign = session.get(Campaign, job.campaign_id) if job else None
    if job is None or campaign is None:
        return "skipped"
    try:
        with session.begin_nested():
            picks = draw_callbacks(
                session=session,
                campaign=campaign,
                seed=int(job.params.get("seed") or 0),
                actor=job.created_by,
                reason=str(job.params.get("reason") or ""),
                redraw=bool(job.params.get("redraw")),
            )
            if not picks:
                raise Invalid("nothing_to_draw")
        job.params = {**job.params, "picked": len(picks)}
        job.state, job.message = JobState.DONE, ""
    except DomainError as exc:
        job.state, job.message = JobState.FAILED, exc.code
    job.finished_at = utcnow()
    session.add(job)
    return str(job.state)


def waiting(*, session: Session) -> list[int]:
    """Jobs to (re)run after a restart: queued ones, and running ones whose worker died."""
    queued = select(Job.id).where(col(Job.state) == JobState.QUEUED)
    stuck = select(Job.id).where(col(Job.state) == JobState.RUNNING, col(Job.started_at) < utcnow() - STUCK)
    found = {int(i or 0) for i in session.exec(queued).all()} | {
        int(i or 0) for i in session.exec(stuck).all()
    }
    return sorted(found)
