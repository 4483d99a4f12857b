"""Command line: migrate, seed-demo, serve, export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.support import NullTranslations

from survey_app import i18n, keyring
from survey_app.cli import desk, interop, records, setup
from survey_app.keyring import KeyringError
from survey_app.settings import Settings, SettingsError, load_keyring


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
    add.add_argument(
        "--role", action="append", required=True, choices=("admin", "lead", "field", "reviewer", "auditee")
    )
    add.add_argument("--name", default="", help="display name")
    passwd = user_sub.add_parser("passwd", help="set a new password (stdin or asked for)")
    passwd.add_argument("--username", required=True)
    grade = sub.add_parser("grade", help="grade a campaign (scores, pass/fail, tier) and print the result")
    grade.add_argument("--campaign", required=True)
    grade.add_argument("--json", action="store_true", help="print the full result as JSON")
    grade.add_argument(
        "--lock", action="store_true", help="store a locked, signed snapshot (and certificate if certified)"
    )
    grade.add_argument(
        "--no-certificate",
        action="store_true",
        help="with --lock: lock a result that earns no certificate (said in so many words)",
    )
    grade.add_argument(
        "--verify-locked",
        action="store_true",
        help="recompute from the stored responses and decisions; exit 0 if it matches the signed snapshot",
    )
    report = sub.add_parser("report", help="write a campaign's evaluation report (PDF or Word)")
    report.add_argument("--campaign", required=True)
    report.add_argument("--format", required=True, choices=("pdf", "docx"))
    report.add_argument("--out", required=True, type=Path, help="the file to write")
    report.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"), help="the report's language")
    rescore = sub.add_parser("rescore", help="refit the fraud model on a campaign and store every verdict")
    rescore.add_argument("--campaign", required=True)
    draw = sub.add_parser("draw-callbacks", help="draw and store the callback sample from the stored scores")
    draw.add_argument("--campaign", required=True)
    draw.add_argument(
        "--seed", type=int, required=True, help="record it: the same seed draws the same sample"
    )
    draw.add_argument(
        "--reason", default="", help="a further draw (the sample was drawn already) needs a reason"
    )
    draw.add_argument(
        "--by", default="", help="the lead auditor who asks for it (recorded; required with --reason)"
    )
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
    interop.add_interop_parsers(sub)
    records.add_records_parsers(sub)
    args = parser.parse_args(argv)
    i18n.activate(NullTranslations(), "en")  # the command line speaks English, whatever ran before it
    if args.command == "new-data-key":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return 0
    try:
        settings = Settings.from_env()
        if args.command != "rotate-signing-key":
            keyring.use(load_keyring(settings))
    except (SettingsError, KeyringError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    commands = {
        "migrate": setup.migrate_command,
        "seed-demo": setup.seed_command,
        "serve": setup.serve_command,
        "user": setup.user_command,
        "export": desk.export_command,
        "rescore": desk.rescore_command,
        "draw-callbacks": desk.draw_command,
        "grade": desk.grade_command,
        "report": desk.report_command,
        "audit": records.audit_command,
        "rotate-signing-key": records.rotate_key_command,
        "cert": records.cert_command,
        "worker": desk.worker_command,
        "labels": desk.labels_command,
        "rotate-data-key": desk.rotate_key_command,
        "purge-contacts": desk.purge_command,
        "instrument": interop.instrument_command,
        "token": interop.token_command,
    }
    return commands[args.command](settings, args)
