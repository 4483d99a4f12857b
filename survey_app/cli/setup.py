"""Command-line handlers that set a server up: migrate, the demo data, serve, accounts."""

from __future__ import annotations

import argparse
import sys

from survey_app.settings import Settings


def migrate_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.migrate import upgrade

    upgrade(settings.database_url, data_key=settings.data_key)
    print(f"database ready: {_safe_url(settings.database_url)}")
    return 0


def seed_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.demo.estate import (
        demo_certificate,
        grow_demo,
        seed_demo,
        seed_demo_responses,
        seed_demo_users,
    )
    from survey_app.services.demo.field import seed_field_demo
    from survey_app.services.demo.findings import seed_decision_demo, seed_findings_demo
    from survey_app.services.demo.review import seed_review_demo
    from survey_app.services.intake.links import short_url, survey_url
    from survey_app.services.review.contacts import ContactCipher

    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        before, before_locations, _ = seed_demo(session=session, code="WYW1-2025", year=2025)
        seed_demo_responses(session=session, campaign=before, locations=before_locations, seed=2025)
        campaign, locations, created = seed_demo(session=session, previous=before)
        simulated = seed_demo_responses(session=session, campaign=campaign, locations=locations)
        logins = seed_demo_users(session=session, campaigns=[before, campaign], var_dir=settings.var_dir)
        seed_field_demo(session=session, campaign=before, assign=False)
        certificate = demo_certificate(session=session, campaign=before)
        letter_job = seed_decision_demo(session=session, campaign=before)
        visits = seed_field_demo(session=session, campaign=campaign, assign=True)
        calls = seed_review_demo(session=session, campaign=campaign, cipher=ContactCipher(settings.data_key))
        findings = seed_findings_demo(session=session, campaign=campaign)
        if args.responses:
            simulated += grow_demo(
                session=session, campaign=campaign, locations=locations, target=args.responses
            )
    if letter_job is not None:  # the decision letter, made now as the worker would
        from survey_app.worker.tasks import run_job

        run_job(engine, settings, letter_job)
    base = settings.base_url
    print("\n明察 Mingcha — demo data " + ("created" if created else "already present"))
    print(f"  demo campaign code: {campaign.code}  ({campaign.name_zh})")
    if simulated:
        print(f"  {simulated} simulated resident responses added and scored by the fraud model")
    print(f"  demo logins (dev only, kept in {settings.var_dir}/demo-logins.txt):")
    print(f"    log in at {base}/login")
    for username, role, password in logins:
        print(f"    {role:<8} {username:<8} {password}")
    print(f"  review desk (log in as lead): {base}/c/{campaign.code}/review")
    if calls:
        print(f"    callback sample drawn, {calls} calls recorded; the drawn responses carry phone numbers")
    if visits:
        print(f"  field visits (log in as lead): {base}/c/{campaign.code}/visits")
    print(f"  the field auditor's visits (log in as field): {base}/f")
    print(f"  campaign report (log in as lead): {base}/c/{campaign.code}/report")
    if findings:
        print(
            f"  {findings} audit findings in every state (log in as lead): {base}/c/{campaign.code}/findings"
        )
    if certificate:
        print(f"  last cycle {before.code}: grade locked; public certificate page: {base}{certificate}")
        print(f"    certification decision (log in as reviewer): {base}/c/{before.code}/decision")
    print(f"  the audited organisation's findings (log in as wyw-pm): {base}/a")
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


def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    import uvicorn

    from survey_app.app import create_app

    worker = "" if args.no_worker else " with an embedded job worker"
    print(f"serving on http://{args.host}:{args.port}{worker}  (Ctrl+C to stop)")
    if "MINGCHA_BASE_URL" not in os.environ:  # links, posters and the Origin check follow this server
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        settings = replace(settings, base_url=f"http://{host}:{args.port}")
    app = create_app(replace(settings, embedded_worker=not args.no_worker, behind_proxy=args.behind_proxy))
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=args.behind_proxy,
        forwarded_allow_ips="127.0.0.1" if args.behind_proxy else None,
    )
    return 0


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise SystemExit("error: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def user_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.auth.accounts import AccountError, create_user, find_user, set_password
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
