"""What the job worker does, each at its own unit-of-work boundary (services never open one): score a
campaign's waiting responses, run a lead auditor's job (a file, or the callback draw), record an API token's
last use, forget old outbox replay keys."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from survey_app import i18n
from survey_app.clock import utcnow
from survey_app.db import unit_of_work
from survey_app.errors import DomainError
from survey_app.models import Campaign, Job
from survey_app.services.api import tokens
from survey_app.services.jobs import requests
from survey_app.services.scoring import verdicts
from survey_app.settings import Settings

log = logging.getLogger(__name__)


def score_waiting(engine: Engine, campaign_id: int) -> int:
    """Compute the campaign's waiting verdicts in a read-only unit (no lock while the model works), then
    write them in one short transaction; again while a full batch was waiting (a backlog after the worker was
    down drains in one job). A failure is logged, never raised: the next sweep takes them."""
    total = 0
    try:
        while True:
            with unit_of_work(engine, write=False) as session:
                campaign = session.get(Campaign, campaign_id)
                if campaign is None:
                    return total
                plan = verdicts.plan_pending(session=session, campaign=campaign)
            if not plan.verdicts:
                return total
            with unit_of_work(engine) as session:
                written = verdicts.apply_plan(session=session, plan=plan, only_unscored=True)
            total += written
            if written < verdicts.PENDING_BATCH or plan.model is not None:
                return total  # a refit scored every waiting response at once
    except Exception:
        log.exception("scoring the waiting responses of campaign %s failed", campaign_id)
        return total


def run_job(engine: Engine, settings: Settings, job_id: int) -> str:
    """One job: queued -> running (a short write), the file made in a read-only unit (or the draw in one
    transaction), then done with the file or failed with the reason (a short write)."""
    with unit_of_work(engine) as session:
        job = requests.start(session=session, job_id=job_id)
        if job is None:
            return "skipped"
        kind, locale = job.kind, job.locale
    try:
        if kind == "draw":
            with unit_of_work(engine) as session:
                return requests.draw(session=session, job_id=job_id)
        catalogs = _catalogs()
        i18n.activate(catalogs.get(locale) or catalogs[i18n.DEFAULT_LOCALE], locale)
        with unit_of_work(engine, write=False) as session:
            found = session.get(Job, job_id)
            assert found is not None
            output = requests.make(session=session, job=found, settings=settings)
        message = ""
    except DomainError as exc:
        output, message = None, exc.code
    except Exception:
        log.exception("job %s failed", job_id)
        output, message = None, "server_error"
    with unit_of_work(engine) as session:
        return requests.finish(session=session, job_id=job_id, output=output, message=message)


def touch_token(engine: Engine, token_id: int, at: datetime) -> None:
    """Record an API token's last use (the API's reads never write; the worker does it for them)."""
    with unit_of_work(engine) as session:
        tokens.record_use(session=session, token_id=token_id, at=at)


def expire_replay_keys(engine: Engine, days: int) -> int:
    """Forget the outbox replay keys older than the retention (hourly); return how many."""
    from survey_app.web import outbox

    with unit_of_work(engine) as session:
        return outbox.expire(session=session, older_than=utcnow() - timedelta(days=days))


def send_reminders(engine: Engine, settings: Settings) -> int:
    """The daily digest by e-mail, only when MINGCHA_SMTP_URL is set; a failure is logged, never raised
    (tomorrow's run tries again: the people not yet sent today's digest are sent it)."""
    if not settings.smtp_url:
        return 0
    from survey_app.services.findings.reminders import send_digests

    catalogs = _catalogs()
    i18n.activate(catalogs[i18n.DEFAULT_LOCALE], i18n.DEFAULT_LOCALE)
    try:
        with unit_of_work(engine) as session:
            return send_digests(
                session=session, smtp_url=settings.smtp_url, sender=settings.mail_from, now=utcnow()
            )
    except Exception:
        log.exception("sending the reminder digest failed")
        return 0


@functools.cache
def _catalogs() -> dict[str, Any]:
    """The catalogs, compiled once per worker process."""
    return dict(i18n.load_catalogs())
