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
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from multiprocessing.process import BaseProcess
from pathlib import Path

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from huey.exceptions import TaskLockedException
from sqlalchemy.engine import Engine

from survey_app.db import private_file, unit_of_work
from survey_app.services.jobs import requests
from survey_app.services.scoring.verdicts import unscored_campaigns
from survey_app.settings import Settings
from survey_app.worker import tasks

log = logging.getLogger(__name__)
RETRY_LOCKED_S = 1
ENQUEUE_GAP_S = 1.0


class Coalesced:
    """`send(key)` for the keys asked for, from one thread, at most one round every `gap` seconds, and always
    after the latest ask (an ask made while a round runs gets a round of its own afterwards).

    Fifty submissions a second to one campaign need one "score its waiting responses" job every so often,
    not fifty queue writes: the job scores every response committed before it starts."""

    def __init__(self, send: Callable[[int], None], gap: float) -> None:
        self._send = send
        self._gap = gap
        self._wanted: set[int] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def ask(self, key: int) -> None:
        with self._cond:
            self._wanted.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mingcha-enqueue", daemon=True)
                self._thread.start()
            self._cond.notify()

    def now(self, key: int) -> None:
        """Send at once, in this thread (tests' immediate queue)."""
        self._deliver({key})

    def flush(self) -> None:
        """Send what is waiting now (at shutdown: the sweep would find it a minute later otherwise)."""
        with self._cond:
            batch, self._wanted = self._wanted, set()
        self._deliver(batch)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._wanted:
                    self._cond.wait()
                batch, self._wanted = self._wanted, set()
            self._deliver(batch)
            time.sleep(self._gap)

    def _deliver(self, batch: set[int]) -> None:
        for key in sorted(batch):
            try:
                self._send(key)
            except Exception:  # the queue is down: the response is stored, the worker's sweep will score it
                log.exception("could not enqueue scoring for campaign %s", key)


def make_huey(url: str, *, immediate: bool = False, name: str = "mingcha") -> Huey:
    """A huey instance for MINGCHA_QUEUE_URL: sqlite:///path, redis://..., memory://, or immediate:// (tests:
    a job runs at once, in the process that enqueues it)."""
    immediate = immediate or url.startswith("immediate://")
    if immediate or url.startswith("memory://"):
        return MemoryHuey(name, immediate=immediate, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        private_file(path)  # the queue holds job parameters: as private as the database
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
                    return tasks.score_waiting(engine, campaign_id)
            except TaskLockedException:  # another worker is scoring it: come back once it is done
                score_campaign.schedule((campaign_id,), delay=RETRY_LOCKED_S)
                return 0

        @huey.task(name="run_job")
        def run_job(job_id: int) -> str:
            return tasks.run_job(engine, settings, job_id)

        @huey.task(name="touch_token")
        def touch_token(token_id: int, at: datetime) -> None:
            tasks.touch_token(engine, token_id, at)

        @huey.periodic_task(crontab(minute="*"), name="sweep")
        def sweep() -> int:
            return self.recover()

        @huey.periodic_task(crontab(minute="17"), name="expire_replay_keys")
        def expire_replay_keys() -> int:
            return tasks.expire_replay_keys(engine, settings.replay_retention_days)

        @huey.periodic_task(crontab(minute="5", hour="0"), name="reminder_digest")  # 08:05 in Beijing
        def reminder_digest() -> int:
            return tasks.send_reminders(engine, settings)

        self.reminder_digest = reminder_digest
        self.score_campaign = score_campaign
        self.run_job = run_job
        self.touch_token = touch_token
        self.sweep = sweep
        self.expire_replay_keys = expire_replay_keys
        self._scoring = Coalesced(score_campaign, ENQUEUE_GAP_S)

    def enqueue_scoring(self, campaign_id: int) -> None:
        """Ask for a campaign's waiting responses to be scored (called after a submission was committed):
        a queue write every ENQUEUE_GAP_S at most, not one per submission (tests' immediate queue: now)."""
        if self.huey.immediate:
            self._scoring.now(campaign_id)
        else:
            self._scoring.ask(campaign_id)

    def flush(self) -> None:
        """Enqueue what is still waiting to be enqueued (at shutdown)."""
        self._scoring.flush()

    def enqueue_job(self, job_id: int) -> None:
        """Run a background job (called once it was committed); the sweep takes it if the queue is down."""
        try:
            self.run_job(job_id)
        except Exception:
            log.exception("could not enqueue job %s", job_id)

    def enqueue_touch(self, token_id: int, at: datetime) -> None:
        """Record an API token's last use in the worker (called after the API's answer was sent)."""
        try:
            self.touch_token(token_id, at)
        except Exception:  # the queue is down: the last-use time is informative, nothing depends on it
            log.exception("could not enqueue the last use of token %s", token_id)

    def recover(self) -> int:
        """Enqueue every campaign with unscored responses and every job waiting or left running by a dead
        worker (at worker start-up and every minute)."""
        with unit_of_work(self.engine, write=False) as session:
            campaigns = unscored_campaigns(session=session)
            waiting = requests.waiting(session=session)
        for campaign_id in campaigns:
            self.score_campaign(campaign_id)
        for job_id in waiting:
            self.run_job(job_id)
        return len(campaigns) + len(waiting)

    def consumer(self, workers: int = 1) -> Consumer:
        return Consumer(
            self.huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=False
        )

    def flush_scoring_locks(self) -> int:
        """Clear the per-campaign scoring locks (at worker start): a worker killed while scoring leaves its
        lock behind, and every later job for that campaign would find it taken for good."""
        prefix = f"{self.huey.name}.lock.score:"
        stale = [k.decode() if isinstance(k, bytes) else str(k) for k in self.huey.storage.result_items()]
        for key in stale:
            if key.startswith(prefix):
                self.huey.delete(key)
        return sum(key.startswith(prefix) for key in stale)


def run_worker(settings: Settings, workers: int = 1, *, parent: int | None = None) -> None:
    """A job worker until stopped (SIGINT: after the job in hand; SIGTERM: at once): stale locks cleared,
    everything left unscored or waiting queued, then jobs as they come. With `parent`, it also stops when
    that process is gone (the embedded worker of a server killed with SIGKILL)."""
    from survey_app import keyring
    from survey_app.db import make_engine
    from survey_app.settings import load_keyring

    keyring.use(load_keyring(settings))
    jobs = Jobs(settings, make_engine(settings.database_url))
    consumer = jobs.consumer(max(1, workers))
    jobs.flush_scoring_locks()
    if parent is not None:
        threading.Thread(target=_exit_without, args=(parent,), daemon=True).start()
    queued = jobs.recover()
    log.info("job worker: %s campaign(s) or file(s) queued", queued)
    consumer.run()


def _exit_without(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)  # as if killed with the server: nothing half-written is committed; the next start redoes it


def start_embedded(settings: Settings) -> BaseProcess:
    """`serve`'s job worker: a process of its own beside the app (the scoring's CPU work never competes with
    the requests for the interpreter), started with the app and stopped with it."""
    process = multiprocessing.get_context("spawn").Process(
        target=run_worker, args=(settings, 1), kwargs={"parent": os.getpid()}, name="mingcha-worker"
    )
    process.daemon = True
    process.start()
    return process


def stop_embedded(process: BaseProcess, timeout: float = 20) -> None:
    """Stop the embedded worker: gracefully (the job in hand finishes), then at once after `timeout`."""
    if process.pid is not None and process.is_alive():
        os.kill(process.pid, signal.SIGINT)
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join(5)
