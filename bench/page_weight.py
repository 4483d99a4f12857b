"""First load of a survey page: requests, bytes on the wire (gzip on, headers counted), other hosts, timings.

Serves the app with uvicorn on a free loopback port against a throwaway SQLite database, opens one survey
link in Debian's Chromium at 360x740 (cold cache, fresh context each run), and counts what the network
carried via the DevTools protocol. Optionally runs Lighthouse (mobile) when bench/.tools has it.

    .venv/bin/python bench/page_weight.py [--runs 5] [--lighthouse]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from survey_app import keyring  # noqa: E402
from survey_app.app import create_app  # noqa: E402
from survey_app.db import make_engine  # noqa: E402
from survey_app.migrate import upgrade  # noqa: E402
from survey_app.services.demo.estate import seed_demo  # noqa: E402
from survey_app.services.intake.links import survey_url  # noqa: E402
from survey_app.settings import Settings, load_keyring  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip


def serve(tmp: Path) -> tuple[str, str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp), "MINGCHA_BASE_URL": base})
    keyring.use(load_keyring(settings))  # the audit log is keyed: seeding writes to it
    upgrade(settings.database_url)
    with Session(make_engine(settings.database_url)) as session:
        _c, locations, _ = seed_demo(session=session)
        url = survey_url(base, settings.secret_key, locations[0])
        session.commit()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return base, url, server


def first_load(browser: Any, base: str, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    worker: list[int] = []  # what the service worker fetches for itself once the page has loaded

    def count_worker(request: Any) -> None:
        if request.service_worker is not None or request.url.endswith("/sw.js"):
            found = request.sizes()
            worker.append(found["responseBodySize"] + found["responseHeadersSize"])

    context.on("requestfinished", count_worker)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    timing = page.evaluate(
        "() => { const t = performance.getEntriesByType('navigation')[0];"
        " return {dcl: t.domContentLoadedEventEnd, load: t.loadEventEnd}; }"
    )
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_timeout(500)
    page_urls = [u for rid, u in urls.items() if rid in sizes]
    context.close()
    other = [u for u in urls.values() if not u.startswith(base) and not u.startswith("data:")]
    return {
        "requests": len(page_urls),
        "bytes": sum(sizes.values()),
        "other_hosts": len(other),
        "worker_requests": len(worker),
        "worker_bytes": sum(worker),
        **timing,
    }


def lighthouse(url: str) -> dict[str, float] | None:
    binary = ROOT / "bench" / ".tools" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print("lighthouse: not installed (cd bench/.tools && npm install lighthouse)")
        return None
    out = Path(tempfile.mkdtemp()) / "lh.json"
    flags = " ".join(["--headless=new", *FLAGS])
    cmd = [str(binary), url, "--form-factor=mobile", "--screenEmulation.mobile", "--quiet",
           "--only-categories=performance,accessibility,best-practices", "--output=json",
           f"--output-path={out}", f"--chrome-flags={flags}"]  # fmt: skip
    subprocess.run(cmd, check=True, env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin"}, timeout=300)
    report = json.loads(out.read_text())
    return {k: v["score"] for k, v in report["categories"].items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lighthouse", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    base, url, server = serve(tmp)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            runs = [first_load(browser, base, url) for _ in range(args.runs)]
            browser.close()
        first = runs[0]
        print(f"survey page first load ({args.runs} cold runs, 360x740, gzip on):")
        print(f"  requests: {first['requests']:.0f}   other hosts: {first['other_hosts']:.0f}")
        print(f"  bytes on the wire (compressed, with headers): {first['bytes']:,.0f}  (budget 30,720)")
        print(f"  then, once, the service worker and what it keeps: {first['worker_requests']:.0f} requests, "
              f"{first['worker_bytes']:,.0f} bytes (not part of the page's load)")  # fmt: skip
        print(f"  DOMContentLoaded / load, median: {statistics.median(r['dcl'] for r in runs):.0f} / "
              f"{statistics.median(r['load'] for r in runs):.0f} ms")  # fmt: skip
        if args.lighthouse:
            scores = lighthouse(url)
            if scores:
                print("  lighthouse (mobile): " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()))
    finally:
        server.should_exit = True
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
