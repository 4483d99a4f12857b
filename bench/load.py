"""Load in one run, beside the bare stack: full submissions (GET + POST, 1 and 16 clients) and page GETs.

(a) the embedded default: `python -m survey_app serve` (app + worker, SQLite) with the demo campaign
    grown to --responses responses; (b) with --pg: PostgreSQL, two `serve --no-worker` instances and one
    worker, jobs and throttling in Redis. Also: seconds from the end of the load until every response is
    scored. Uses the shared load generator (../shared/bench/loadgen.py) and bare stack
    (../shared/bench/bare_app.py); prints JSON lines and the ratios against the bare stack.

    .venv/bin/python bench/load.py [--responses 10000] [--small 300] [--pg] [--n 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "bench"
PY = sys.executable


def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def loadgen(mode: str, urls: list[str], n: int, clients: int) -> dict[str, object]:
    out = subprocess.run(
        [PY, str(SHARED / "loadgen.py"), mode, ",".join(urls), str(n), str(clients)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def unscored(env: dict[str, str], where: str = "WHERE fraud_score IS NULL") -> int:
    code = (
        "from sqlalchemy import text; from survey_app.db import make_engine; import os; "
        "e = make_engine(os.environ['DATABASE_URL']); "
        f"print(e.connect().execute(text('SELECT count(*) FROM survey_response {where}')).scalar())"
    )
    return int(
        subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    )


def measure(name: str, urls: list[str], env: dict[str, str] | None, n: int) -> dict[str, object]:
    figures: dict[str, object] = {"setup": name}
    if env is not None:
        figures["responses_before"] = unscored(env, "")
    figures["submit_1"] = loadgen("submit", urls, max(100, n // 5), 1)
    started = time.perf_counter()
    figures["submit_16"] = loadgen("submit", urls, n, 16)
    end = time.perf_counter()
    while env is not None and unscored(env) and time.perf_counter() - end < 120:
        time.sleep(0.5)
    if env is not None:
        figures["scored_after_load_s"] = round(time.perf_counter() - end, 1)
    figures["load_s"] = round(end - started, 1)
    figures["get_16"] = loadgen("get", urls[:1], 2 * n, 16)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument(
        "--small", type=int, default=0, help="also the embedded default at this many responses"
    )
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bare = port()
        processes.append(
            start([PY, str(SHARED / "bare_app.py"), str(bare), str(tmp / "bare.db")], dict(os.environ))
        )
        wait(f"http://127.0.0.1:{bare}/s/x")
        results = [measure("bare stack", [f"http://127.0.0.1:{bare}/s/x"], None, args.n)]
        env = {**os.environ, "MINGCHA_VAR_DIR": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'mingcha.db'}"}
        setups: list[tuple[str, dict[str, str], int, list[str], int]] = [
            ("embedded default (SQLite, app + its worker process)", env, 1, [], args.responses)
        ]
        if args.small:
            small = {
                **env,
                "MINGCHA_VAR_DIR": str(tmp / "small"),
                "DATABASE_URL": f"sqlite:///{tmp / 'small.db'}",
            }
            setups.insert(0, (f"embedded default at {args.small} responses", small, 1, [], args.small))
        if args.pg:
            pg = os.environ.get("MINGCHA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
            schema = f"load_{uuid.uuid4().hex[:8]}"
            create = f"import sqlalchemy as s; c=s.create_engine('{pg}').connect(); "
            create += f"c.execute(s.text('CREATE SCHEMA {schema}')); c.commit()"
            subprocess.run([PY, "-c", create], check=True)
            redis = os.environ.get("MINGCHA_TEST_REDIS", "redis://127.0.0.1:6379/14")
            pg_env = {
                **env,
                "DATABASE_URL": f"{pg}?options=-csearch_path%3D{schema}",
                "MINGCHA_QUEUE_URL": redis,
                "MINGCHA_QUEUE_NAME": schema,
                "MINGCHA_RATELIMIT_STORAGE": redis,
            }
            setups.append(
                ("PostgreSQL, 2 app processes + 1 worker, Redis", pg_env, 2, ["--no-worker"], args.responses)
            )
        for name, senv, instances, extra, size in setups:
            subprocess.run(
                [PY, "-m", "survey_app", "migrate"], cwd=ROOT, env=senv, check=True, capture_output=True
            )
            seeded = subprocess.run(
                [PY, "-m", "survey_app", "seed-demo", "--responses", str(size)],
                cwd=ROOT, env=senv, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            ports = [port() for _ in range(instances)]
            for p in ports:
                processes.append(start([PY, "-m", "survey_app", "serve", "--port", str(p), *extra], senv))
            if extra:
                processes.append(start([PY, "-m", "survey_app", "worker", "--workers", "2"], senv))
            for p in ports:
                wait(f"http://127.0.0.1:{p}/healthz")
            paths = re.findall(r"http://[^/\s]+(/s/\S+)", seeded)
            urls = [f"http://127.0.0.1:{ports[i % len(ports)]}{path}" for i, path in enumerate(paths)]
            results.append(measure(name, urls, senv, args.n))
        base = results[0]
        for r in results:
            for key in ("submit_1", "submit_16", "get_16"):
                figures, ref = r[key], base[key]
                assert isinstance(figures, dict) and isinstance(ref, dict)
                figures["ratio_to_bare"] = round(float(figures["rate"]) / float(ref["rate"]), 3)
            print(json.dumps(r, ensure_ascii=False))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
