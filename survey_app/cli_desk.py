"""Command-line handlers for the review desk's data and the worker: audit, labels, keys, purge, worker."""

from __future__ import annotations

import argparse
import sys

from survey_app.cli_lookup import find_campaign as _campaign
from survey_app.settings import Settings


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services import audit

    with unit_of_work(make_engine(settings.database_url), write=False) as session:
        campaign = None
        if args.campaign:
            campaign = _campaign(session, args.campaign)
            if campaign is None:
                return 2
        if args.audit_command == "show":
            tz = campaign.timezone if campaign else settings.default_timezone
            rows = audit.history(session, campaign_id=campaign.id if campaign else None)
            for row in rows:
                print(audit.format_row(row, tz))
            print(f"{len(rows)} rows", file=sys.stderr)
            return 0
        chain = (campaign.id if campaign else None) if args.campaign else None
        breaks = audit.verify(session, chain)
        checked = [chain] if chain is not None else audit.chains(session)
    if breaks:
        for b in breaks:
            print(f"BROKEN {b}", file=sys.stderr)
        return 1
    print(f"audit log intact: {len(checked)} chain(s) verified")
    return 0


def _labels(settings: Settings, args: argparse.Namespace) -> int:
    import csv

    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.callbacks import labels

    with unit_of_work(make_engine(settings.database_url), write=False) as session:
        campaign = _campaign(session, args.campaign)
        if campaign is None:
            return 2
        rows = labels(session, campaign)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "label", "source"])
        writer.writerows(rows)
    fakes = sum(label for _, label, _ in rows)
    print(f"wrote {len(rows)} labels ({fakes} confirmed fake) to {args.out}")
    return 0


def _rotate_key(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.contacts import ContactCipher, DataKeyError, rotate_all

    try:
        with unit_of_work(make_engine(settings.database_url)) as session:
            count = rotate_all(session, ContactCipher(settings.data_key))
    except DataKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"re-encrypted {count} phone numbers with the first key of MINGCHA_DATA_KEY; the others can go")
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.models import utcnow
    from survey_app.services.contacts import purge

    days = args.retention_days if args.retention_days is not None else settings.contact_retention_days
    if days < 0:
        print("error: --retention-days must be 0 or more", file=sys.stderr)
        return 2
    with unit_of_work(make_engine(settings.database_url)) as session:
        purged = purge(session, now=utcnow(), retention_days=days)
    for code, n in purged.items():
        print(f"{code}: removed {n} phone numbers")
    print(f"purged {sum(purged.values())} phone numbers (grades locked more than {days} days ago)")
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    import logging

    from survey_app.jobs import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print("job worker: Ctrl+C to stop", flush=True)
    run_worker(settings, args.workers)
    return 0
