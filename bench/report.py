"""Make the evaluation report (PDF and Word) of a campaign of N responses x 20 items on SQLite; print the time
of each step and the whole job.

Set-up (not timed): `bench/grades.py`'s database (the homestay guest survey, 15 locations, N simulated
responses with their answer codes), then one response in five given a comment drawn from residents' phrases
and the responses spread over 30 days. Timed: what the job worker runs for a `report` job — gathering the
facts (the grade, the sample, the breakdown, the comment themes...), building the document and writing the
file.

    .venv/bin/python bench/report.py [--responses 100000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from grades import setup  # noqa: E402  (bench/ is on the path: this script runs from anywhere)
from sqlmodel import select  # noqa: E402

from survey_app import i18n  # noqa: E402
from survey_app.db import make_engine, unit_of_work  # noqa: E402
from survey_app.models import Campaign  # noqa: E402
from survey_app.reports.document import to_docx, to_pdf  # noqa: E402
from survey_app.services.evaluation.facts import gather  # noqa: E402
from survey_app.services.evaluation.report import evaluation_document  # noqa: E402

PLACES = ["前台", "早餐", "房间", "卫生间", "停车场", "空调", "床品", "热水", "隔音", "WiFi", "管家", "庭院"]
SAYINGS = ["很干净", "服务热情", "有点吵", "需要改进", "比以前好多了", "整体满意", "等了很久", "很方便"]


def comments(path: Path, share: float = 0.2) -> int:
    """Give one response in 1/share a comment, and spread submissions over 30 days."""
    rng = random.Random(7)
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM survey_response")]
    chosen = rng.sample(ids, int(len(ids) * share))
    con.executemany(
        "UPDATE survey_response SET comment = ? WHERE id = ?",
        (
            (f"{rng.choice(PLACES)}{rng.choice(SAYINGS)}，{rng.choice(PLACES)}{rng.choice(SAYINGS)}", i)
            for i in chosen
        ),
    )
    con.execute(
        "UPDATE survey_response SET submitted_at = datetime(submitted_at, '-' || (id % 30) || ' days')"
    )
    con.commit()
    con.close()
    return len(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        setup(path, args.responses)
        written = comments(path)
        print(
            f"set-up: {args.responses:,} responses, {written:,} comments in {time.perf_counter() - t0:.1f} s"
        )
        engine = make_engine(f"sqlite:///{path}")
        with i18n.speaking("zh_CN"):
            for fmt in ("pdf", "docx"):
                start = time.perf_counter()
                with unit_of_work(engine, write=False) as session:
                    found = session.exec(select(Campaign)).first()
                    assert found is not None
                    facts = gather(session=session, campaign=found)
                    gathered = time.perf_counter()
                    doc = evaluation_document(facts)
                data = to_pdf(doc) if fmt == "pdf" else to_docx(doc)
                done = time.perf_counter()
                print(
                    f"{fmt}: {done - start:.1f} s in all (facts {gathered - start:.1f} s, "
                    f"document and file {done - gathered:.1f} s), {len(data):,} bytes, "
                    f"{facts.comments.total:,} comments in {len(facts.comments.themes)} themes"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
