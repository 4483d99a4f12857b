"""Scoring a new response at 300, 10,000 and 100,000 responses (issue 12): the neighbourhood path against
re-reading the whole campaign with the same model (what the worker did before).

For each size: a fresh SQLite database, one campaign with 15 locations and N simulated responses (scored,
model fitted: not timed), then 50 new responses that share devices, networks, locations and comments with
the stored ones. Timed: the worker's pass over the 50 waiting responses (read-only plan + one short write),
and, for comparison, scoring the whole campaign with the same stored model. Median of 3 runs each.

    .venv/bin/python bench/scoring.py [--sizes 300,10000,100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grading.codes import encode  # noqa: E402
from survey_app.db import make_engine, unit_of_work  # noqa: E402
from survey_app.migrate import upgrade  # noqa: E402
from survey_app.models import Campaign, InstrumentVersion, SurveyResponse  # noqa: E402
from survey_app.services.campaigns.instruments import materialise  # noqa: E402
from survey_app.services.demo.estate import add_simulated, seed_demo  # noqa: E402
from survey_app.services.scoring import verdicts  # noqa: E402
from survey_app.services.scoring.scope import records, scope  # noqa: E402
from survey_app.worker.tasks import score_waiting  # noqa: E402

NEW = 50


def grow(session: Session, campaign: Campaign, seed: int) -> None:
    rng = random.Random(seed)
    instrument = materialise(session.get(InstrumentVersion, campaign.survey_instrument_id))
    ids = session.exec(select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id)).all()
    for k in range(NEW):
        base = session.get(SurveyResponse, rng.choice(ids))
        assert base is not None
        answers = {key: rng.randint(1, 5) for key in base.answers}
        shift = timedelta(seconds=rng.randint(-300, 300))
        session.add(
            SurveyResponse(
                public_id=f"B{seed}{k:04d}",
                idempotency_key=f"bench-{seed}-{k}",
                campaign_id=campaign.id or 0,
                location_id=base.location_id,
                instrument_version_id=campaign.survey_instrument_id,
                answers=answers,
                answer_codes=encode(instrument, answers),
                item_ms=dict(base.item_ms),
                comment=base.comment if k % 3 == 0 else "",
                client_id=base.client_id if k % 2 else f"bench-{seed}-{k}",
                ip_hash=base.ip_hash,
                user_agent=base.user_agent,
                started_at=(base.started_at or base.submitted_at) + shift,
                submitted_at=base.submitted_at + shift + timedelta(seconds=90),
            )
        )
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="300,10000,100000")
    args = parser.parse_args()
    print(f"{'responses':>10} | {'new':>4} | {'worker pass (neighbourhood)':>27} | {'whole campaign':>27}")
    for size in [int(s) for s in args.sizes.split(",")]:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            campaign, locations, _ = seed_demo(session=session)
            session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id))
            add_simulated(session=session, campaign=campaign, locations=locations, n_genuine=size, seed=3)
            campaign_id = campaign.id or 0
        passes, wholes = [], []
        for run in range(3):
            with Session(engine) as session:
                growing = session.get(Campaign, campaign_id)
                assert growing is not None
                grow(session, growing, seed=100 + run)
            started = time.perf_counter()
            scored = score_waiting(engine, campaign_id)
            passes.append(time.perf_counter() - started)
            assert scored == NEW, scored
            with unit_of_work(engine, write=False) as session:
                scored_campaign = session.get(Campaign, campaign_id)
                assert scored_campaign is not None
                screen = verdicts.stored_screen(
                    verdicts.latest_model(session=session, campaign=scored_campaign)
                )
                assert screen is not None
                started = time.perf_counter()
                rows = list(session.exec(select(SurveyResponse).where(*scope(scored_campaign))))
                _items, responses = records(session=session, campaign=scored_campaign, rows=rows)
                screen.verdicts(responses)
                wholes.append(time.perf_counter() - started)
                total = len(rows)
        print(
            f"{total:>10,} | {NEW:>4} | {statistics.median(passes) * 1000:>22.0f} ms | "
            f"{statistics.median(wholes) * 1000:>22.0f} ms"
        )


if __name__ == "__main__":
    main()
