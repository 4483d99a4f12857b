"""Command line: migrate, seed-demo, serve, export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from survey_app.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m survey_app`."""
    parser = argparse.ArgumentParser(prog="python -m survey_app", description="Mingcha survey server")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema")
    sub.add_parser("seed-demo", help="create the demo campaign (once) and print its survey links")
    serve = sub.add_parser("serve", help="serve the app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    export = sub.add_parser("export", help="write items.json and responses.jsonl for a campaign")
    export.add_argument("--campaign", required=True, help="campaign code, e.g. WYW1-2026")
    export.add_argument("--out", required=True, type=Path, help="output folder")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return {"migrate": _migrate, "seed-demo": _seed, "serve": _serve, "export": _export}[args.command](
        settings, args
    )


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database ready: {_safe_url(settings.database_url)}")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine
    from survey_app.services.demo import seed_demo
    from survey_app.services.survey_links import survey_url

    engine = make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        campaign, locations, created = seed_demo(session=session)
    print("\n明察 Mingcha — demo data " + ("created" if created else "already present"))
    print(f"  demo campaign code: {campaign.code}  ({campaign.name_zh})")
    print("  survey links (one poster per building entrance):")
    for location in locations:
        url = survey_url(settings.base_url, settings.secret_key, location)
        print(f"    {location.code}  {location.name:<10}  {url}")
    print(f"  export: .venv/bin/python -m survey_app export --campaign {campaign.code} --out var/export")
    print("  then score it: .venv/bin/python -m fraud score --items var/export/items.json "
          "--responses var/export/responses.jsonl --out var/export/scores.csv\n")  # fmt: skip
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from survey_app.app import create_app

    print(f"serving on http://{args.host}:{args.port}  (Ctrl+C to stop)")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine
    from survey_app.services.export import ExportError, export_campaign

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        try:
            count, items, responses = export_campaign(session=session, code=args.campaign, out_dir=args.out)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"wrote {items} and {responses} ({count} responses)")
    return 0


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url
