"""Background jobs on huey (a small, well-kept task queue): scoring leaves the web process.

Jobs: scoring a campaign's waiting responses, and the heavy files a lead auditor asks for (every poster in one
PDF, the analysis PDF, exports), each with its state in the `job` table.

The queue lives in its own SQLite file by default (`var/jobs.db`: no extra service), or in Redis
(`MINGCHA_QUEUE_URL=redis://...`) when several app instances and workers share it. A survey submission
only enqueues "score this campaign's waiting responses"; a worker scores all of them in one pass, one job at
a time per campaign (a lock; a job that finds it taken comes back a second later, so nothing
piles up and nothing is missed). The database is the source of truth: at start-up and every minute the worker
enqueues every campaign that still has unscored responses, so a job lost in a crash is redone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException
from sqlalchemy.engine import Engine

from survey_app.db import unit_of_work
from survey_app.services import background
from survey_app.services.fraud_checks import score_in_background, unscored_campaigns
from survey_app.settings import Settings

log = logging.getLogger(__name__)
RETRY_LOCKED_S = 1


def make_huey(url: str, *, immediate: bool = False, name: str = "mingcha") -> Huey:
    """A huey instance for MINGCHA_QUEUE_URL: sqlite:///path, redis://..., memory://, or immediate:// (tests:
    a job runs at once, in the process that enqueues it)."""
    immediate = immediate or url.startswith("immediate://")
    if immediate or url.startswith("memory://"):
        return MemoryHuey(name, immediate=immediate, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, fsync=True)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(name, url=url, results=False)
    raise ValueError(f"MINGCHA_QUEUE_URL must be sqlite:///..., redis://... or memory://, not {url!r}")


class Jobs:
    """The app's job queue and its tasks (bound to one database engine)."""

    def __init__(self, settings: Settings, engine: Engine, *, immediate: bool = False) -> None:
        self.engine = engine
        self.settings = settings
        self.huey = make_huey(settings.queue_url, immediate=immediate, name=settings.queue_name)
        huey = self.huey

        @huey.task(name="score_campaign")
        def score_campaign(campaign_id: int) -> int:
            try:
                with huey.lock_task(f"score:{campaign_id}"):
                    return score_in_background(engine, campaign_id)
            except TaskLockedException:  # another worker is scoring it: come back once it is done
                score_campaign.schedule((campaign_id,), delay=RETRY_LOCKED_S)
                return 0

        @huey.task(name="run_job")
        def run_job(job_id: int) -> str:
            return background.run(engine, settings, job_id)

        @huey.periodic_task(crontab(minute="*"), name="sweep")
        def sweep() -> int:
            return self.recover()

        self.score_campaign = score_campaign
        self.run_job = run_job
        self.sweep = sweep

    def enqueue_scoring(self, campaign_id: int) -> None:
        """Ask for a campaign's waiting responses to be scored (called after a submission was committed)."""
        try:
            self.score_campaign(campaign_id)
        except Exception:  # the queue is down: the response is stored, the worker's sweep will score it
            log.exception("could not enqueue scoring for campaign %s", campaign_id)

    def enqueue_job(self, job_id: int) -> None:
        """Run a background job (called once it was committed); the sweep takes it if the queue is down."""
        try:
            self.run_job(job_id)
        except Exception:
            log.exception("could not enqueue job %s", job_id)

    def recover(self) -> int:
        """Enqueue every campaign with unscored responses and every job waiting or left running by a dead
        worker (at worker start-up and every minute)."""
        with unit_of_work(self.engine, write=False) as session:
            campaigns = unscored_campaigns(session=session)
            waiting = background.waiting(session)
        for campaign_id in campaigns:
            self.score_campaign(campaign_id)
        for job_id in waiting:
            self.run_job(job_id)
        return len(campaigns) + len(waiting)

    def consumer(self, workers: int = 1, *, embedded: bool = False) -> Consumer:
        """A consumer; an embedded one (inside `serve`) leaves the server's signal handling alone."""
        cls = EmbeddedConsumer if embedded else Consumer
        return cls(self.huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=False)


class EmbeddedConsumer(Consumer):
    """A consumer running beside uvicorn in the same process: uvicorn keeps SIGINT and SIGTERM."""

    def _set_signal_handlers(self) -> None:
        return None


def run_embedded(jobs: Jobs, workers: int = 1) -> Any:
    """Start an embedded consumer (and the recovery sweep); returns it, to be stopped at shutdown."""
    consumer = jobs.consumer(workers, embedded=True)
    consumer.start()
    jobs.recover()
    return consumer
