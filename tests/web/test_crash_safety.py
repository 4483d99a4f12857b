"""SIGKILL the server while residents submit: every acknowledged submission is stored once; retries too.

Runs the real server (`python -m survey_app serve`) in a subprocess, on SQLite (synchronous=FULL) and on the
local PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from survey_app.db import make_engine
from survey_app.migrate import upgrade
from survey_app.services.intake.form_tokens import read_form_token
from tests.conftest import SECRET, survey_path
from tests.factories import full_answers, make_campaign

ROOT = Path(__file__).resolve().parents[2]
FORM = re.compile(r'name="_form" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, var: Path, port: int, extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "MINGCHA_VAR_DIR": str(var), "MINGCHA_SECRET_KEY": SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "survey_app", "serve", "--port", str(port), *(extra or [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _kill_during_submissions(url: str, var: Path) -> None:
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        _campaign, locations = make_campaign(session, code="KILL")
        path, location_id = survey_path(locations[0]), locations[0].id or 0
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(url, var, port)
    acknowledged: list[str] = []
    unanswered: list[str] = []
    stop = threading.Event()

    def resident() -> None:
        while not stop.is_set():
            try:
                with httpx.Client(timeout=5) as client:
                    page = client.get(base + path)
                    token = FORM.search(page.text)
                    if token is None:
                        continue
                    data = {"_form": token.group(1), "_step": "submit", **full_answers()}
                    try:
                        posted = client.post(base + path, data=data)
                    except httpx.HTTPError:
                        unanswered.append(token.group(1))
                        continue
                    (acknowledged if posted.status_code == 303 else unanswered).append(token.group(1))
            except httpx.HTTPError:
                continue

    threads = [threading.Thread(target=resident) for _ in range(6)]
    for t in threads:
        t.start()
    while len(acknowledged) < 60:
        time.sleep(0.02)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    server = _serve(url, var, port)
    try:
        with httpx.Client(
            timeout=10
        ) as client:  # the phones retry: the ones never answered, and some answered
            for token in unanswered + acknowledged[:10]:
                data = {"_form": token, "_step": "submit", **full_answers()}
                assert client.post(base + path, data=data).status_code == 303
        deadline = time.monotonic() + 90  # the restarted server's worker scores what the killed one left
        while _unscored(engine) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _unscored(engine) == 0, "every stored response is scored after the restart"
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    keys = [read_form_token(SECRET, token, location_id) for token in acknowledged + unanswered]
    assert all(keys)
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT idempotency_key FROM survey_response"))]
        fits = [row[0] for row in conn.execute(text("SELECT n_responses FROM fraudmodel ORDER BY id"))]
    engine.dispose()
    assert all(later >= 2 * earlier for earlier, later in itertools.pairwise(fits)), (
        f"no model fitted twice for the same campaign size: {fits}"
    )
    wanted = {k[0] for k in keys if k}
    assert len(stored) == len(set(stored)), "nothing stored twice"
    assert wanted <= set(stored), "every acknowledged (and every retried) submission is stored"
    assert len(acknowledged) >= 60
    cut = len(unanswered)
    print(f"\nkill test: {len(acknowledged)} acknowledged, {cut} cut off and retried, {len(stored)} stored")


def _unscored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM survey_response WHERE fraud_score IS NULL")).scalar_one()
        )


def test_sigkill_on_sqlite_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    _kill_during_submissions(f"sqlite:///{tmp_path / 'kill.db'}", tmp_path)


def test_sigkill_on_postgres_loses_and_duplicates_nothing(pg_url: str, tmp_path: Path) -> None:
    _kill_during_submissions(pg_url, tmp_path)


@pytest.fixture(autouse=True)
def _real_hashing_not_needed() -> None:
    """No password is checked here (residents only)."""
