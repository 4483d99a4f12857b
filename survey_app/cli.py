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
    rescore = sub.add_parser("rescore", help="refit the fraud model on a campaign and store every verdict")
    rescore.add_argument("--campaign", required=True)
    draw = sub.add_parser("draw-callbacks", help="draw and store the callback sample from the stored scores")
    draw.add_argument("--campaign", required=True)
    draw.add_argument(
        "--seed", type=int, required=True, help="record it: the same seed draws the same sample"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    commands = {"migrate": _migrate, "seed-demo": _seed, "serve": _serve, "export": _export,
                "rescore": _rescore, "draw-callbacks": _draw}  # fmt: skip
    return commands[args.command](settings, args)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database ready: {_safe_url(settings.database_url)}")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine
    from survey_app.services.demo import seed_demo, seed_demo_responses
    from survey_app.services.survey_links import survey_url

    engine = make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        campaign, locations, created = seed_demo(session=session)
        simulated = seed_demo_responses(session=session, campaign=campaign, locations=locations)
    print("\n明察 Mingcha — demo data " + ("created" if created else "already present"))
    print(f"  demo campaign code: {campaign.code}  ({campaign.name_zh})")
    if simulated:
        print(f"  {simulated} simulated resident responses added and scored by the fraud model")
    print("  survey links (one poster per building entrance):")
    for location in locations:
        url = survey_url(settings.base_url, settings.secret_key, location)
        print(f"    {location.code}  {location.name:<10}  {url}")
    print(f"  export: .venv/bin/python -m survey_app export --campaign {campaign.code} --out var/export")
    print("  then score it: .venv/bin/python -m fraud score --items var/export/items.json "
          "--responses var/export/responses.jsonl --out var/export/scores.csv")  # fmt: skip
    print(f"  callbacks: .venv/bin/python -m survey_app draw-callbacks --campaign {campaign.code} --seed 42")
    print()
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


def _campaign(session: Session, code: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from survey_app.models import Campaign

    return session.exec(select(Campaign).where(Campaign.code == code)).first()


def _rescore(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine
    from survey_app.services.fraud_checks import rescore_campaign

    with Session(make_engine(settings.database_url), expire_on_commit=False) as session:
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            print(f"error: no campaign with code {args.campaign!r}", file=sys.stderr)
            return 2
        count = rescore_campaign(session=session, campaign=campaign)
    print(f"scored {count} online responses of {args.campaign}")
    return 0


def _draw(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine
    from survey_app.services.fraud_checks import draw_callbacks

    with Session(make_engine(settings.database_url), expire_on_commit=False) as session:
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            print(f"error: no campaign with code {args.campaign!r}", file=sys.stderr)
            return 2
        picks = draw_callbacks(session=session, campaign=campaign, seed=args.seed)
    if not picks:
        print("nothing to draw: no scored online responses (run rescore first)", file=sys.stderr)
        return 1
    flagged = sum(p.kind == "flagged" for p in picks)
    print(f"drew {len(picks)} callbacks ({flagged} flagged, {len(picks) - flagged} random control), "
          f"draw {picks[0].draw_id}, seed {args.seed}")  # fmt: skip
    return 0
