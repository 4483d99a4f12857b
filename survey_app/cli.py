"""Command line: migrate, seed-demo, serve, export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from survey_app.cli_desk import _audit, _labels, _purge, _rotate_key, _worker
from survey_app.cli_interop import add_parsers as add_interop_parsers
from survey_app.cli_interop import instrument_command, token_command
from survey_app.cli_lookup import find_campaign as _campaign
from survey_app.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m survey_app`."""
    parser = argparse.ArgumentParser(prog="python -m survey_app", description="Mingcha survey server")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema")
    seed = sub.add_parser("seed-demo", help="create the demo campaigns (once) and print their survey links")
    seed.add_argument(
        "--responses",
        type=int,
        default=0,
        help="grow the current demo campaign to about N simulated, scored responses",
    )
    serve = sub.add_parser("serve", help="serve the app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-worker", action="store_true", help="no job worker in this process (workers run apart)"
    )
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="trust X-Forwarded-For/-Proto from a reverse proxy on 127.0.0.1 (real client addresses)",
    )
    worker = sub.add_parser("worker", help="run the job worker (scoring) until stopped")
    worker.add_argument("--workers", type=int, default=1, help="worker threads")
    export = sub.add_parser("export", help="write items.json and responses.jsonl for a campaign")
    export.add_argument("--campaign", required=True, help="campaign code, e.g. WYW1-2026")
    export.add_argument("--out", required=True, type=Path, help="output folder")
    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (password read from stdin or asked for)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", action="append", required=True, choices=("admin", "lead", "field"))
    add.add_argument("--name", default="", help="display name")
    passwd = user_sub.add_parser("passwd", help="set a new password (stdin or asked for)")
    passwd.add_argument("--username", required=True)
    grade = sub.add_parser("grade", help="grade a campaign (scores, pass/fail, tier) and print the result")
    grade.add_argument("--campaign", required=True)
    grade.add_argument("--json", action="store_true", help="print the full result as JSON")
    grade.add_argument(
        "--lock", action="store_true", help="store a locked snapshot (and certificate if certified)"
    )
    rescore = sub.add_parser("rescore", help="refit the fraud model on a campaign and store every verdict")
    rescore.add_argument("--campaign", required=True)
    draw = sub.add_parser("draw-callbacks", help="draw and store the callback sample from the stored scores")
    draw.add_argument("--campaign", required=True)
    draw.add_argument(
        "--seed", type=int, required=True, help="record it: the same seed draws the same sample"
    )
    audit_cmd = sub.add_parser("audit", help="the hash-chained audit log")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="recompute the chain(s); exit 0 when intact, 1 naming the break"
    )
    verify.add_argument("--campaign", help="only this campaign's chain (default: every chain)")
    show = audit_sub.add_parser("show", help="print a campaign's audit log")
    show.add_argument("--campaign", help="campaign code (default: the global chain: accounts and logins)")
    lab = sub.add_parser("labels", help="write callback and decision labels (id,label,source) for the model")
    lab.add_argument("--campaign", required=True)
    lab.add_argument("--out", required=True, type=Path)
    sub.add_parser("new-data-key", help="print a new key for MINGCHA_DATA_KEY (encrypts phone numbers)")
    sub.add_parser(
        "rotate-data-key",
        help="re-encrypt stored phone numbers with the first key of MINGCHA_DATA_KEY (old keys after it)",
    )
    purge = sub.add_parser(
        "purge-contacts", help="remove phone numbers of campaigns locked longer ago than retention"
    )
    purge.add_argument(
        "--retention-days", type=int, default=None, help="default: MINGCHA_CONTACT_RETENTION_DAYS"
    )
    add_interop_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "new-data-key":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return 0
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    commands = {
        "migrate": _migrate,
        "seed-demo": _seed,
        "serve": _serve,
        "export": _export,
        "rescore": _rescore,
        "draw-callbacks": _draw,
        "user": _user,
        "grade": _grade,
        "audit": _audit,
        "worker": _worker,
        "labels": _labels,
        "rotate-data-key": _rotate_key,
        "purge-contacts": _purge,
        "instrument": instrument_command,
        "token": token_command,
    }
    return commands[args.command](settings, args)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.migrate import upgrade

    upgrade(settings.database_url, data_key=settings.data_key)
    print(f"database ready: {_safe_url(settings.database_url)}")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.contacts import ContactCipher
    from survey_app.services.demo import (
        demo_certificate,
        grow_demo,
        seed_demo,
        seed_demo_responses,
        seed_demo_users,
    )
    from survey_app.services.demo_field import seed_field_demo
    from survey_app.services.demo_review import seed_review_demo
    from survey_app.services.survey_links import short_url, survey_url

    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        before, before_locations, _ = seed_demo(session=session, code="WYW1-2025", year=2025)
        seed_demo_responses(session=session, campaign=before, locations=before_locations, seed=2025)
        campaign, locations, created = seed_demo(session=session, previous=before)
        simulated = seed_demo_responses(session=session, campaign=campaign, locations=locations)
        logins = seed_demo_users(session=session, campaigns=[before, campaign], var_dir=settings.var_dir)
        seed_field_demo(session=session, campaign=before, assign=False)
        certificate = demo_certificate(session=session, campaign=before)
        visits = seed_field_demo(session=session, campaign=campaign, assign=True)
        calls = seed_review_demo(session=session, campaign=campaign, cipher=ContactCipher(settings.data_key))
        if args.responses:
            simulated += grow_demo(
                session=session, campaign=campaign, locations=locations, target=args.responses
            )
    base = settings.base_url
    print("\n明察 Mingcha — demo data " + ("created" if created else "already present"))
    print(f"  demo campaign code: {campaign.code}  ({campaign.name_zh})")
    if simulated:
        print(f"  {simulated} simulated resident responses added and scored by the fraud model")
    print(f"  demo logins (dev only, kept in {settings.var_dir}/demo-logins.txt):")
    print(f"    log in at {base}/login")
    for username, role, password in logins:
        print(f"    {role:<6} {username:<6} {password}")
    print(f"  review desk (log in as lead): {base}/c/{campaign.code}/review")
    if calls:
        print(f"    callback sample drawn, {calls} calls recorded; the drawn responses carry phone numbers")
    if visits:
        print(f"  field visits (log in as lead): {base}/c/{campaign.code}/visits")
    print(f"  the field auditor's visits (log in as field): {base}/f")
    print(f"  campaign report (log in as lead): {base}/c/{campaign.code}/report")
    if certificate:
        print(f"  last cycle {before.code}: grade locked; public certificate page: {base}{certificate}")
    print("  survey links (one poster per building entrance):")
    for location in locations:
        url = survey_url(base, settings.secret_key, location)
        print(f"    {location.code}  {location.name:<10}  {url}  (typed: {short_url(base, location)})")
    print(f"  export: .venv/bin/python -m survey_app export --campaign {campaign.code} --out var/export")
    print(
        "  then score it: .venv/bin/python -m fraud score --items var/export/items.json "
        "--responses var/export/responses.jsonl --out var/export/scores.csv"
    )
    print(f"  audit log: .venv/bin/python -m survey_app audit verify --campaign {campaign.code}")
    print()
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from dataclasses import replace

    import uvicorn

    from survey_app.app import create_app

    worker = "" if args.no_worker else " with an embedded job worker"
    print(f"serving on http://{args.host}:{args.port}{worker}  (Ctrl+C to stop)")
    app = create_app(replace(settings, embedded_worker=not args.no_worker))
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=args.behind_proxy,
        forwarded_allow_ips="127.0.0.1" if args.behind_proxy else None,
    )
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.export import ExportError, export_campaign

    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        try:
            count, items, responses = export_campaign(
                session=session, code=args.campaign, out_dir=args.out, actor="cli"
            )
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"wrote {items} and {responses} ({count} responses)")
    return 0


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def _rescore(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.fraud_checks import apply_plan, plan_rescore

    engine = make_engine(settings.database_url)
    with unit_of_work(engine, write=False) as session:  # the model works without holding the write lock
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            return 2
        plan = plan_rescore(session=session, campaign=campaign)
    with unit_of_work(engine) as session:
        count = apply_plan(session=session, plan=plan)
    print(f"scored {count} online responses of {args.campaign}")
    return 0


def _draw(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.callbacks import draw_callbacks

    with unit_of_work(make_engine(settings.database_url)) as session:
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            return 2
        picks = draw_callbacks(session=session, campaign=campaign, seed=args.seed, actor="cli")
    if not picks:
        print("nothing to draw: no scored online responses (run rescore first)", file=sys.stderr)
        return 1
    flagged = sum(p.kind == "flagged" for p in picks)
    print(
        f"drew {len(picks)} callbacks ({flagged} flagged, {len(picks) - flagged} random control), "
        f"draw {picks[0].draw_id}, seed {args.seed}"
    )
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise SystemExit("error: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _user(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.auth.users import AccountError, create_user, find_user, set_password
    from survey_app.db import make_engine, unit_of_work

    password = _read_password()
    with unit_of_work(make_engine(settings.database_url)) as session:
        try:
            if args.user_command == "add":
                user = create_user(
                    session=session,
                    username=args.username,
                    password=password,
                    roles=args.role,
                    display_name=args.name,
                    actor="cli",
                )
                print(f"created {user.username} ({', '.join(user.roles)})")
            else:
                found = find_user(session=session, username=args.username)
                if found is None:
                    print(f"error: no user {args.username!r}", file=sys.stderr)
                    return 2
                set_password(session=session, user=found, password=password, actor="cli")
                print(f"password changed for {found.username}; their open sessions end")
        except AccountError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


def _grade(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from survey_app.db import make_engine, unit_of_work
    from survey_app.services import grading

    with unit_of_work(make_engine(settings.database_url)) as session:
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            return 2
        if args.lock:
            snapshot = grading.lock(session=session, campaign=campaign, actor="cli")
            data = snapshot.result
        else:
            data = grading.compute(session=session, campaign=campaign)[0].to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.campaign}: {data['status']}" + (f", tier {data['tier']}" if data["tier"] else ""))
    print(f"  rule: {data['rule']}")
    for comp in data["components"]:
        interval = f" (95% CI {comp['ci_low']}-{comp['ci_high']})" if comp["ci_low"] else ""
        verdict = "pass" if comp["passed"] else "FAIL"
        score = f"{comp['score']} / {comp['max']} [{verdict} at {comp['pass_mark']}]"
        print(f"  {comp['id']}: {score} n={comp['n']}{interval}")
        for dim in comp["dimensions"]:
            print(f"    {dim['id']}: {dim['score']}")
    print(f"  total: {data['total']} / {data['total_max']}; excluded: {data['excluded'] or 'none'}")
    return 0
