"""The review queue's page time at 300 and at 100,000 responses, on SQLite and on PostgreSQL.

Set-up (not timed): a fresh database (SQLite file, or a fresh schema on MINGCHA_TEST_PG), one campaign with 15
locations, N responses with scores, reason families and statuses, and a callback sample of 10%.
Timed: GET /c/CODE/review as its lead auditor through the whole app (TestClient), the first page, a filtered
page (flagged picks with a timing reason), and a deep page (page 100 sorted by score); the median of 15.

    .venv/bin/python bench/review_queue.py [--sizes 300,100000] [--pg]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from survey_app.app import create_app  # noqa: E402
from survey_app.db import make_engine, unit_of_work  # noqa: E402
from survey_app.migrate import upgrade  # noqa: E402
from survey_app.models import CallbackPick, SurveyResponse  # noqa: E402
from survey_app.settings import Settings  # noqa: E402
from tests.factories import PASSWORD, add_member, login, make_campaign, make_user  # noqa: E402

FAMILIES = ["timing", "pattern", "device", "network", "text", "rule", "consistency"]


def fill(url: str, n: int) -> None:
    engine = make_engine(url)
    with unit_of_work(engine) as db:
        campaign, locations = make_campaign(db, code="Q", locations=15)
        campaign_id, version = campaign.id, campaign.survey_instrument_id
        loc_ids = [loc.id for loc in locations]
    rng = random.Random(n)
    start = datetime.now(UTC) - timedelta(days=20)
    rows = []
    for i in range(n):
        score = rng.random() ** 3
        fams = rng.sample(FAMILIES, rng.randint(0, 2)) if score > 0.3 else []
        rows.append(
            {
                "public_id": f"r-{i:07d}",
                "idempotency_key": uuid.uuid4().hex,
                "campaign_id": campaign_id,
                "location_id": loc_ids[i % 15],
                "instrument_version_id": version,
                "channel": "online",
                "status": "flagged" if score > 0.73 else "received",
                "answers": {f"q{k:02d}": rng.randint(1, 5) for k in range(1, 22)},
                "item_ms": {},
                "comment": "",
                "contact_consent": False,
                "client_id": f"c-{rng.getrandbits(40):010x}",
                "ip_hash": f"{rng.getrandbits(32):08x}",
                "user_agent": "bench",
                "locale": "zh_CN",
                "submitted_at": start + timedelta(seconds=i * 17),
                "received_at": start + timedelta(seconds=i * 17),
                "meta": {},
                "fraud_score": score,
                "fraud_reasons": [{"zh": f"原因 {f}", "en": f"reason {f}"} for f in fams],
                "fraud_model_version": "bench",
                "fraud_families": ("," + ",".join(fams) + ",") if fams else "",
            }
        )
    with engine.begin() as conn:
        for chunk in range(0, n, 5000):
            conn.execute(insert(SurveyResponse), rows[chunk : chunk + 5000])
        top = conn.execute(
            text("SELECT id FROM survey_response WHERE campaign_id = :c ORDER BY fraud_score DESC LIMIT :k"),
            {"c": campaign_id, "k": max(1, n // 14)},
        ).all()
        picks = [
            {"campaign_id": campaign_id, "draw_id": "d-bench", "response_id": rid, "rank": r + 1,
             "kind": "flagged", "reason": "bench", "score": 0.9, "seed": 1, "drawn_at": datetime.now(UTC)}
            for r, (rid,) in enumerate(top)
        ]  # fmt: skip
        conn.execute(insert(CallbackPick), picks)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
    with Session(engine) as session:
        lead = make_user(session, "benchlead", ["lead"])
        add_member(session=session, campaign_id=campaign_id, user_id=lead.id, role="lead")
    engine.dispose()


def time_pages(settings: Settings, runs: int = 15) -> dict[str, float]:
    paths = {
        "first page": "/c/Q/review",
        "filtered": "/c/Q/review?sample=flagged&family=timing",
        "page 100 by score": "/c/Q/review?sort=score&page=100",
    }
    out = {}
    with TestClient(create_app(settings)) as client:
        login(client, "benchlead", PASSWORD)
        for name, path in paths.items():
            assert client.get(path).status_code == 200
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                client.get(path)
                times.append(1000 * (time.perf_counter() - t))
            out[name] = round(statistics.median(times), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="300,100000")
    parser.add_argument("--pg", action="store_true", help="also on PostgreSQL (MINGCHA_TEST_PG)")
    args = parser.parse_args()
    from argon2 import PasswordHasher

    from survey_app.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # set-up speed only
    tmp = Path(tempfile.mkdtemp())
    base = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp), "MINGCHA_SECRET_KEY": "b" * 40})
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    for backend in backends:
        for n in (int(s) for s in args.sizes.split(",")):
            if backend == "sqlite":
                url = f"sqlite:///{tmp / f'q{n}.db'}"
            else:
                pg = os.environ.get("MINGCHA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
                schema = f"bench_{uuid.uuid4().hex[:8]}"
                with create_engine(pg).begin() as conn:
                    conn.execute(text(f"CREATE SCHEMA {schema}"))
                url = f"{pg}?options=-csearch_path%3D{schema}"
            upgrade(url)
            started = time.perf_counter()
            fill(url, n)
            setup_s = time.perf_counter() - started
            figures = time_pages(replace(base, database_url=url))
            print(
                json.dumps(
                    {"backend": backend, "responses": n, "setup_s": round(setup_s, 1), "median_ms": figures}
                )
            )


if __name__ == "__main__":
    main()
