"""Several instances: two app processes and a worker on PostgreSQL, sharing jobs and throttling in Redis.
Every response posted to either instance (and re-sent to the other) is stored once and scored."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session

from survey_app.db import make_engine
from survey_app.migrate import upgrade
from tests.conftest import SECRET, survey_path
from tests.factories import full_answers, make_campaign
from tests.web.test_crash_safety import _port, _serve

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("MINGCHA_TEST_REDIS", "redis://127.0.0.1:6379/15")
FORM = re.compile(r'name="_form" value="([^"]+)"')


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    return REDIS


def test_two_app_instances_and_a_worker_store_once_and_score_all(
    pg_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url)
    with Session(engine, expire_on_commit=False) as session:
        _campaign, locations = make_campaign(session, code="MULTI", locations=3)
        paths = [survey_path(loc) for loc in locations]
    name = f"mingcha-test-{uuid.uuid4().hex[:8]}"
    shared = {
        "MINGCHA_QUEUE_URL": redis_url,
        "MINGCHA_QUEUE_NAME": name,
        "MINGCHA_RATELIMIT_STORAGE": redis_url,
    }
    for key, value in shared.items():
        monkeypatch.setenv(key, value)
    ports = [_port(), _port()]
    apps = [_serve(pg_url, tmp_path, port, extra=["--no-worker"]) for port in ports]
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "MINGCHA_VAR_DIR": str(tmp_path),
        "MINGCHA_SECRET_KEY": SECRET,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "survey_app", "worker", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sent: list[str] = []
    try:
        with httpx.Client(timeout=20) as client:
            for n in range(30):
                path = paths[n % 3]
                here, there = f"http://127.0.0.1:{ports[n % 2]}", f"http://127.0.0.1:{ports[(n + 1) % 2]}"
                token = FORM.search(client.get(here + path).text)
                assert token is not None
                data = {"_form": token.group(1), "_step": "submit", **full_answers()}
                assert client.post(here + path, data=data).status_code == 303
                assert client.post(there + path, data=data).status_code == 303, (
                    "a retry on the other instance"
                )
                sent.append(token.group(1))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text("SELECT count(*) FROM survey_response WHERE fraud_score IS NULL")
                ).scalar()
            if waiting == 0:
                break
            time.sleep(0.3)
        else:
            raise AssertionError(f"{waiting} responses were still unscored after 90 s")
    finally:
        for process in [*apps, worker]:
            process.send_signal(signal.SIGTERM)
        for process in [*apps, worker]:
            process.wait(timeout=20)
        import redis

        client_redis = redis.Redis.from_url(redis_url)
        for key in client_redis.scan_iter(f"*{name}*"):
            client_redis.delete(key)
    with engine.connect() as conn:
        keys = [row[0] for row in conn.execute(text("SELECT idempotency_key FROM survey_response"))]
    engine.dispose()
    assert len(keys) == len(set(keys)) == len(sent) == 30
