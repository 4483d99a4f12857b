"""Grade a campaign of 1,000,000 responses x 20 items on SQLite; print the time and the memory peak.

Set-up (not timed): a fresh SQLite database, the homestay guest survey (20 scored items), a survey-only
copy of the homestay scheme, 15 locations, and N simulated responses inserted with their answer codes.
Timed: `survey_app.services.grading.compute` (one query, numpy aggregation, decimal reporting).

    .venv/bin/python bench/grading.py [--responses 1000000]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from survey_app import location_tokens  # noqa: E402
from survey_app.db import make_engine  # noqa: E402
from survey_app.migrate import upgrade  # noqa: E402
from survey_app.models import Campaign, Location, StoredScheme, ident  # noqa: E402
from survey_app.services.campaigns.instruments import register_bundled  # noqa: E402
from survey_app.services.grades import grading  # noqa: E402
from survey_app.services.grades.schemes import ensure_schemes  # noqa: E402


def setup(path: Path, n: int) -> None:
    url = f"sqlite:///{path}"
    upgrade(url)
    with Session(make_engine(url), expire_on_commit=False) as session:
        rows = register_bundled(session=session)
        session.commit()
        homestay = ensure_schemes(session=session)["homestay"].definition
        survey_only = {
            **homestay,
            "id": "homestay-survey-only",
            "components": homestay["components"][:1],
            "tiers": [
                {k: v for k, v in t.items() if k != "components_min"} | {"min_total": t["min_total"] / 2}
                for t in homestay["tiers"]
            ],
        }
        scheme = StoredScheme(code="bench", name_zh="bench", definition=survey_only)
        session.add(scheme)
        session.commit()
        now = datetime.now(UTC)
        campaign = Campaign(
            code="BENCH",
            name_zh="bench",
            organisation="bench",
            scheme_id=ident(scheme),
            survey_instrument_id=rows["homestay-guest-survey"],
            starts_at=now - timedelta(days=30),
            deadline=now + timedelta(days=1),
            ip_salt="x",
        )
        session.add(campaign)
        session.commit()
        for b in range(15):
            session.add(
                Location(
                    campaign_id=ident(campaign),
                    code=f"L{b:02d}",
                    name=f"{b}",
                    token_nonce=location_tokens.new_nonce(),
                )
            )
        session.commit()
        location_ids = [ident(loc) for loc in session.exec(select(Location))]
        campaign_id, version_id = campaign.id, rows["homestay-guest-survey"]
    rng = np.random.default_rng(1)
    codes = rng.choice(np.arange(1, 7, dtype=np.uint8), size=(n, 20), p=[0.04, 0.06, 0.15, 0.34, 0.39, 0.02])
    locs = rng.choice(location_ids, size=n)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.000000")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    columns = [
        "public_id",
        "idempotency_key",
        "campaign_id",
        "location_id",
        "instrument_version_id",
        "submitted_at",
        "received_at",
        "answer_codes",
        "channel",
        "status",
        "answers",
        "item_ms",
        "comment",
        "contact_consent",
        "client_id",
        "ip_hash",
        "user_agent",
        "locale",
        "meta",
        "fraud_reasons",
        "fraud_model_version",
    ]
    constants = [
        "'online'",
        "'received'",
        "'{}'",
        "'{}'",
        "''",
        "0",
        "''",
        "''",
        "''",
        "'zh_CN'",
        "'{}'",
        "'[]'",
        "''",
    ]
    sql = f"INSERT INTO survey_response ({', '.join(columns)}) VALUES ({', '.join(['?'] * 8 + constants)})"
    batch = 50_000
    for start in range(0, n, batch):
        con.executemany(
            sql,
            (
                (f"r{i}", f"k{i}", campaign_id, int(locs[i]), version_id, stamp, stamp, codes[i].tobytes())
                for i in range(start, min(n, start + batch))
            ),
        )
        con.commit()
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "bench.db"
    started = time.perf_counter()
    setup(path, args.responses)
    print(
        f"set-up: {args.responses:,} responses x 20 items inserted in {time.perf_counter() - started:.0f} s "
        f"({path.stat().st_size / 1e6:.0f} MB database)"
    )
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        campaign = session.exec(select(Campaign).where(Campaign.code == "BENCH")).one()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        result, _inputs = grading.compute(session=session, campaign=campaign)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    comp = result.components[0]
    interval = f"95% CI {comp.ci_low}-{comp.ci_high}"
    print(f"grade: {result.status} {result.tier or ''}, {comp.id} {comp.score} ({interval}), n={comp.n:,}")
    print(f"grading time: {elapsed:.2f} s (target < 10 s)")
    print(
        f"memory: Python/numpy allocation peak {peak / 1e6:.0f} MB; process max RSS {rss_after / 1024:.0f} MB"
    )
    print(f"        (max RSS before grading {rss_before / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
