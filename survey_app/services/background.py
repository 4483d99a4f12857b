"""Heavy work done by the job worker while the lead auditor watches its state — files (posters, analysis,
exports) and the callback draw: asked for (queued), running, done (a file kept in the blob table, or the
draw stored) or failed (with the reason). One door per change: every state
move of a job is here."""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from survey_app import i18n
from survey_app.db import unit_of_work
from survey_app.errors import DomainError, Invalid, NotFound
from survey_app.models import Campaign, utcnow
from survey_app.models_jobs import Job, JobState
from survey_app.services import job_files
from survey_app.services.callbacks import draw_callbacks
from survey_app.services.evidence import put_blob
from survey_app.settings import Settings

log = logging.getLogger(__name__)
FILE_KINDS = ("posters", "analysis", "export", "grade")  # what the buttons posting to the jobs page ask for
KINDS = (*FILE_KINDS, "draw")  # the draw is asked for from the review desk
STUCK = timedelta(minutes=15)  # running this long: its worker died; it is run again


def ask(
    session: Session, campaign: Campaign, *, kind: str, params: dict[str, str], actor: str, locale: str
) -> Job:
    """Queue a job (the caller enqueues it once this unit of work has committed)."""
    if kind not in KINDS:
        raise Invalid("job_kind_unknown")
    if kind == "export" and (params.get("what"), params.get("fmt")) not in job_files.EXPORTS:
        raise Invalid("job_kind_unknown")
    keep = {"export": ("what", "fmt"), "draw": ("seed",)}.get(kind, ())
    clean: dict[str, Any] = {k: params[k] for k in keep if k in params}
    job = Job(campaign_id=campaign.id or 0, kind=kind, params=clean, locale=locale, created_by=actor[:60])
    session.add(job)
    session.flush()
    if kind == "export":
        job_files.record_export(session, campaign, actor, f"{clean['what']}.{clean['fmt']}")
    return job


def of_campaign(session: Session, campaign: Campaign, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.campaign_id != campaign.id:
        raise NotFound("not_found")
    return job


def run(engine: Engine, settings: Settings, job_id: int) -> str:
    """Run one job: queued -> running (short write), the file made in a read-only unit, then done with the
    file or failed with the reason (short write). A job found running or finished is left alone."""
    with unit_of_work(engine) as session:
        job = session.get(Job, job_id)
        if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
            return "skipped"
        if job.state == JobState.RUNNING and job.started_at and utcnow() - job.started_at < STUCK:
            return "skipped"  # another worker has it
        job.state, job.started_at = JobState.RUNNING, utcnow()
        session.add(job)
        kind, params, locale, campaign_id = job.kind, dict(job.params), job.locale, job.campaign_id
    if kind == "draw":
        return _draw(engine, job_id)
    try:
        catalogs = _catalogs()
        i18n.activate(catalogs.get(locale) or catalogs[i18n.DEFAULT_LOCALE], locale)
        with unit_of_work(engine, write=False) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFound("campaign_not_found")
            output = _make(session, campaign, settings, kind, params, locale)
        state, message = JobState.DONE, ""
    except DomainError as exc:
        output, state, message = None, JobState.FAILED, exc.code
    except Exception:
        log.exception("job %s failed", job_id)
        output, state, message = None, JobState.FAILED, "server_error"
    with unit_of_work(engine) as session:
        job = session.get(Job, job_id)
        if job is None:
            return "skipped"
        if output is not None:
            job.result_sha256 = put_blob(session, output.data, output.media_type)
            job.filename = output.filename[:120]
        job.state, job.message, job.finished_at = state, message[:500], utcnow()
        session.add(job)
    return str(state)


def _draw(engine: Engine, job_id: int) -> str:
    """The callback draw: its picks, status moves, audit rows and the job's end in one transaction, so a draw
    is stored whole exactly once (a worker that dies half-way leaves nothing, and the sweep draws again)."""
    try:
        with unit_of_work(engine) as session:
            job = session.get(Job, job_id)
            campaign = session.get(Campaign, job.campaign_id) if job else None
            if job is None or campaign is None:
                return "skipped"
            try:
                with session.begin_nested():
                    seed = int(job.params.get("seed") or 0)
                    picks = draw_callbacks(
                        session=session, campaign=campaign, seed=seed, actor=job.created_by
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
    except Exception:
        log.exception("job %s failed", job_id)
        with unit_of_work(engine) as session:
            job = session.get(Job, job_id)
            if job is not None:
                job.state, job.message, job.finished_at = JobState.FAILED, "server_error", utcnow()
                session.add(job)
        return str(JobState.FAILED)


def _make(
    session: Session, campaign: Campaign, settings: Settings, kind: str, params: dict[str, Any], locale: str
) -> job_files.Output:
    if kind == "posters":
        return job_files.posters(session, campaign, settings)
    if kind == "analysis":
        return job_files.analysis(session, campaign, settings, locale)
    if kind == "grade":
        return job_files.grade(session, campaign)
    return job_files.export(session, campaign, str(params.get("what")), str(params.get("fmt")))


@functools.cache
def _catalogs() -> dict[str, Any]:
    """The catalogs, compiled once per worker process."""
    return dict(i18n.load_catalogs())


def waiting(session: Session) -> list[int]:
    """Jobs to (re)run after a restart: queued ones, and running ones whose worker died."""
    queued = select(Job.id).where(col(Job.state) == JobState.QUEUED)
    stuck = select(Job.id).where(col(Job.state) == JobState.RUNNING, col(Job.started_at) < utcnow() - STUCK)
    found = {int(i or 0) for i in session.exec(queued).all()} | {
        int(i or 0) for i in session.exec(stuck).all()
    }
    return sorted(found)
