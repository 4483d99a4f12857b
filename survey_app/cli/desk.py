"""Command-line handlers for a campaign's data and the worker: export, grade, rescore, draw, labels,
keys, purge, worker."""

from __future__ import annotations

import argparse
import sys

from survey_app.cli.lookup import find_campaign
from survey_app.settings import Settings


def labels_command(settings: Settings, args: argparse.Namespace) -> int:
    import csv

    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.review.summary import labels

    with unit_of_work(make_engine(settings.database_url), write=False) as session:
        campaign = find_campaign(session=session, code=args.campaign)
        if campaign is None:
            return 2
        rows = labels(session=session, campaign=campaign)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "label", "source"])
        writer.writerows(rows)
    fakes = sum(label for _, label, _ in rows)
    print(f"wrote {len(rows)} labels ({fakes} confirmed fake) to {args.out}")
    return 0


def report_command(settings: Settings, args: argparse.Namespace) -> int:
    """The evaluation report, made by the same code as the job worker's (the file the report page offers)."""
    import time

    from survey_app import i18n
    from survey_app.db import make_engine, unit_of_work
    from survey_app.errors import DomainError
    from survey_app.services.jobs.files import report

    started = time.perf_counter()
    try:
        engine = make_engine(settings.database_url)
        with i18n.speaking(args.lang), unit_of_work(engine, write=False) as session:
            campaign = find_campaign(session=session, code=args.campaign)
            if campaign is None:
                return 2
            output = report(session=session, campaign=campaign, settings=settings, fmt=args.format)
    except DomainError as exc:
        print(f"error: {exc.code}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(output.data)
    print(f"wrote {args.out} ({len(output.data):,} bytes) in {time.perf_counter() - started:.1f} s")
    return 0


def rotate_key_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.review.contacts import ContactCipher, DataKeyError, rotate_all

    try:
        with unit_of_work(make_engine(settings.database_url)) as session:
            count = rotate_all(session=session, cipher=ContactCipher(settings.data_key))
    except DataKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"re-encrypted {count} phone numbers with the first key of MINGCHA_DATA_KEY; the others can go")
    return 0


def purge_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.clock import utcnow
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.review.contacts import purge

    days = args.retention_days if args.retention_days is not None else settings.contact_retention_days
    if days < 0:
        print("error: --retention-days must be 0 or more", file=sys.stderr)
        return 2
    with unit_of_work(make_engine(settings.database_url)) as session:
        purged = purge(session=session, now=utcnow(), retention_days=days)
    for code, n in purged.items():
        print(f"{code}: removed {n} phone numbers")
    print(f"purged {sum(purged.values())} phone numbers (grades locked more than {days} days ago)")
    return 0


def worker_command(settings: Settings, args: argparse.Namespace) -> int:
    import logging

    from survey_app.worker.queue import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print("job worker: Ctrl+C to stop", flush=True)
    run_worker(settings, args.workers)
    return 0


def export_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.exports.contract import ExportError, export_campaign

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


def rescore_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.scoring.verdicts import apply_plan, plan_rescore

    engine = make_engine(settings.database_url)
    with unit_of_work(engine, write=False) as session:  # the model works without holding the write lock
        campaign = find_campaign(session=session, code=args.campaign)
        if campaign is None:
            return 2
        plan = plan_rescore(session=session, campaign=campaign)
    with unit_of_work(engine) as session:
        count = apply_plan(session=session, plan=plan)
    print(f"scored {count} online responses of {args.campaign}")
    return 0


def draw_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.errors import DomainError
    from survey_app.services.review.callbacks import draw_callbacks
    from survey_app.web.messages import error_message

    if args.reason.strip() and not args.by.strip():
        print("error: a further draw is signed: give the lead auditor's name with --by", file=sys.stderr)
        return 2
    try:
        with unit_of_work(make_engine(settings.database_url)) as session:
            campaign = find_campaign(session=session, code=args.campaign)
            if campaign is None:
                return 2
            picks = draw_callbacks(
                session=session,
                campaign=campaign,
                seed=args.seed,
                actor=args.by or "cli",
                reason=args.reason,
                redraw=bool(args.reason),
            )
    except DomainError as exc:
        print(f"error: {error_message(exc.code, exc.params)}", file=sys.stderr)
        return 2
    if not picks:
        print("nothing to draw: no scored online responses left to pick", file=sys.stderr)
        return 1
    flagged = sum(p.kind == "flagged" for p in picks)
    print(
        f"drew {len(picks)} callbacks ({flagged} flagged, {len(picks) - flagged} random control), "
        f"draw {picks[0].draw_id}, seed {args.seed}"
    )
    return 0


def grade_command(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from survey_app.db import make_engine, unit_of_work
    from survey_app.errors import DomainError
    from survey_app.services.grades import grading, locks
    from survey_app.web.messages import error_message

    try:
        with unit_of_work(make_engine(settings.database_url), write=bool(args.lock)) as session:
            campaign = find_campaign(session=session, code=args.campaign)
            if campaign is None:
                return 2
            if args.verify_locked:
                digest, found = locks.verify_locked(session=session, campaign=campaign)
                for line in found:
                    print(f"DIFFERS {line}", file=sys.stderr)
                if found:
                    return 1
                print(f"{args.campaign}: the stored data give the locked grade (snapshot {digest[:12]})")
                return 0
            if args.lock:
                snapshot = locks.lock(
                    session=session, campaign=campaign, actor="cli", no_certificate=args.no_certificate
                )
                data = snapshot.result
            else:
                data = grading.compute(session=session, campaign=campaign)[0].to_dict()
    except DomainError as exc:
        if exc.code == "lock_without_certificate":
            print(
                f"error: {args.campaign}'s result earns no certificate; to lock it as such, say so with "
                "--no-certificate. Nothing was locked.",
                file=sys.stderr,
            )
        else:
            print(f"error: {error_message(exc.code, exc.params)}", file=sys.stderr)
        return 2
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
