"""Scoring leaves the web process: a submission only enqueues; a worker scores; nothing stays unscored."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from huey import Huey
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.models import SurveyResponse
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.settings import Settings
from survey_app.worker.queue import Coalesced
from tests.conftest import SECRET, form_token, survey_path
from tests.factories import full_answers, reread

ROOT = Path(__file__).resolve().parents[2]


def _submit(client: TestClient, path: str) -> None:
    data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
    assert client.post(path, data=data).status_code == 303


def _drain(huey: Huey) -> int:
    done = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    return done


def test_a_submission_is_scored_by_the_worker_not_the_web_process(
    settings: Settings, session: Session
) -> None:
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    session.commit()
    app = create_app(replace(settings, queue_url="memory://"))  # a queue nobody consumes: the worker is down
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(3):
            _submit(client, survey_path(locations[0]))
    waiting = session.exec(select(SurveyResponse).where(col(SurveyResponse.fraud_score).is_(None))).all()
    assert len(waiting) == 3, "the survey answered at full speed; nothing was scored in the web process"
    huey = app.state.jobs.huey
    assert huey.pending_count() >= 1
    assert _drain(huey) >= 1
    session.expire_all()
    assert not session.exec(select(SurveyResponse).where(col(SurveyResponse.fraud_score).is_(None))).all()
    assert all(r.fraud_reasons is not None for r in session.exec(select(SurveyResponse)))


def test_responses_left_unscored_by_a_crash_are_scored_when_the_worker_starts(
    settings: Settings, session: Session
) -> None:
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    lost = session.exec(select(SurveyResponse).limit(5)).all()
    for row in lost:  # as if their jobs died with the process
        row.fraud_score = None
        session.add(row)
    session.commit()
    app = create_app(replace(settings, queue_url="memory://"))
    jobs = app.state.jobs
    assert jobs.recover() == 1
    _drain(jobs.huey)
    session.expire_all()
    assert all(r.fraud_score is not None for r in reread(session, lost))


def test_one_scoring_job_per_campaign_at_a_time(settings: Settings, session: Session) -> None:
    campaign, _locations, _ = seed_demo(session=session)
    session.commit()
    jobs = create_app(replace(settings, queue_url="memory://")).state.jobs
    with jobs.huey.lock_task(f"score:{campaign.id}"):  # a worker is busy with this campaign
        jobs.score_campaign(campaign.id)
        _drain(jobs.huey)
        assert jobs.huey.scheduled_count() == 1, "the second job comes back later instead of running twice"


def test_the_worker_command_scores_what_the_app_stored(
    tmp_path: Path, settings: Settings, session: Session
) -> None:
    campaign, locations, _ = seed_demo(session=session)
    session.commit()
    queue = f"sqlite:///{tmp_path / 'jobs.db'}"
    app = create_app(replace(settings, queue_url=queue))
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(4):
            _submit(client, survey_path(locations[1]))
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MINGCHA_VAR_DIR": str(settings.var_dir),
        "MINGCHA_SECRET_KEY": SECRET,
        "MINGCHA_QUEUE_URL": queue,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "survey_app", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            session.expire_all()
            if not session.exec(
                select(SurveyResponse).where(col(SurveyResponse.fraud_score).is_(None))
            ).all():
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the worker did not score the responses in 60 s")
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert len(session.exec(select(SurveyResponse)).all()) == 4


def test_asks_made_while_a_job_is_being_enqueued_share_one_more_enqueue() -> None:
    sent: list[int] = []
    first_started, release = threading.Event(), threading.Event()

    def send(key: int) -> None:
        sent.append(key)
        first_started.set()
        release.wait(10)

    coalesced = Coalesced(send, gap=0.01)
    coalesced.ask(7)
    assert first_started.wait(10)
    for _ in range(50):  # fifty submissions committed while the first enqueue runs
        coalesced.ask(7)
    coalesced.ask(8)
    release.set()
    deadline = time.monotonic() + 10
    while len(sent) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert sent == [7, 7, 8], "one enqueue after the latest ask per campaign, not one per ask"
    coalesced.flush()
    assert sent == [7, 7, 8], "nothing left waiting"


def test_a_scoring_lock_left_by_a_killed_worker_is_cleared_when_a_worker_starts(
    tmp_path: Path, settings: Settings, session: Session
) -> None:
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    lost = session.exec(select(SurveyResponse).limit(4)).all()
    for row in lost:
        row.fraud_score = None
        session.add(row)
    session.commit()
    jobs = create_app(replace(settings, queue_url=f"sqlite:///{tmp_path / 'q.db'}")).state.jobs
    jobs.huey.lock_task(f"score:{campaign.id}").acquire()  # held by a worker killed while scoring
    jobs.score_campaign(campaign.id)
    _drain(jobs.huey)
    session.expire_all()
    assert all(r.fraud_score is None for r in reread(session, lost[:1]))
    assert jobs.flush_scoring_locks() == 1
    jobs.score_campaign(campaign.id)
    _drain(jobs.huey)
    session.expire_all()
    assert all(r.fraud_score is not None for r in reread(session, lost))
    assert jobs.flush_scoring_locks() == 0, "a finished job leaves no lock behind"
