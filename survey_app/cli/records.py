"""Command-line handlers for records nobody can bend: the audit log (verify, show, checkpoints), the signing
keyring (rotate) and certificates (verify a saved signed document offline).

Exit codes: 0 verified, 1 something does not verify (named), 2 the input could not be read at all."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from survey_app.cli.lookup import find_campaign
from survey_app.keyring import VerifyingKey
from survey_app.settings import Settings


def add_records_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit_cmd = sub.add_parser("audit", help="the keyed, hash-chained audit log")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify",
        help="recompute the chain(s) and check keys and signatures; exit 0 intact, 1 naming the break",
    )
    verify.add_argument("--campaign", help="only this campaign's chain (default: every chain)")
    verify.add_argument(
        "--checkpoint", type=Path, help="also prove the log still extends this saved checkpoint (a file)"
    )
    verify.add_argument("--jwks", type=Path, help="public keys (a JWK Set file) to check the checkpoint with")
    show = audit_sub.add_parser("show", help="print a campaign's audit log")
    show.add_argument("--campaign", help="campaign code (default: the global chain: accounts and logins)")
    point = audit_sub.add_parser(
        "checkpoint",
        help="print a signed checkpoint of a chain (keep it elsewhere: printed, e-mailed, filed)",
    )
    point.add_argument("--campaign", help="campaign code (default: the global chain)")
    rotate = sub.add_parser(
        "rotate-signing-key",
        help="a new signing key signs from now on; the old ones stay to verify what they signed",
    )
    rotate.add_argument(
        "--keyring", type=Path, help="the keyring file (default: MINGCHA_SIGNING_KEYS or var/)"
    )
    cert = sub.add_parser("cert", help="certificates: verify a saved signed certificate or status offline")
    cert_sub = cert.add_subparsers(dest="cert_command", required=True)
    check = cert_sub.add_parser(
        "verify", help="check a saved .jws document; exit 0 genuine, 1 not, 2 unreadable"
    )
    check.add_argument("file", type=Path)
    check.add_argument("--jwks", type=Path, help="the body's public keys (default: this server's keyring)")


def _keys(settings: Settings, jwks: Path | None) -> dict[str, VerifyingKey] | None:
    """Public keys to verify with: a JWK Set file, or the local keyring's; None after an error was printed."""
    from survey_app import keyring
    from survey_app.keyring import KeyringError, public_keys

    if jwks is None:
        return keyring.active().verifiers()
    try:
        return public_keys(json.loads(jwks.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyringError) as exc:
        print(f"error: cannot read the JWK Set {jwks}: {exc}", file=sys.stderr)
        return None


def audit_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services import audit

    point = None
    if getattr(args, "checkpoint", None) is not None:
        try:
            point = audit.parse_checkpoint(args.checkpoint.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read the checkpoint {args.checkpoint}: {exc}", file=sys.stderr)
            return 2
        except audit.CheckpointError as exc:
            print(f"error: {args.checkpoint}: {exc}", file=sys.stderr)
            return 2
    keys = _keys(settings, getattr(args, "jwks", None)) if point is not None else {}
    if keys is None:
        return 2
    with unit_of_work(make_engine(settings.database_url), write=False) as session:
        campaign = None
        if args.campaign:
            campaign = find_campaign(session=session, code=args.campaign)
            if campaign is None:
                return 2
        chain = campaign.id if campaign else None
        if args.audit_command == "show":
            tz = campaign.timezone if campaign else settings.default_timezone
            rows = audit.history(session=session, campaign_id=chain)
            for row in rows:
                print(audit.format_row(row, tz))
            print(f"{len(rows)} rows", file=sys.stderr)
            return 0
        if args.audit_command == "checkpoint":
            print(audit.checkpoint(session=session, chain=chain or audit.GLOBAL_CHAIN).text(), end="")
            return 0
        breaks = audit.verify(session=session, chain=chain if args.campaign else None)
        checked = [chain] if args.campaign else audit.chains(session=session)
        if point is not None:
            missed = audit.verify_checkpoint(session=session, point=point, keys=keys)
            if missed is not None:
                breaks.append(missed)
    if breaks:
        for b in breaks:
            print(f"BROKEN {b}", file=sys.stderr)
        return 1
    extended = f"; it extends the checkpoint at seq {point.seq} of chain {point.chain}" if point else ""
    print(f"audit log intact: {len(checked)} chain(s) verified{extended}")
    return 0


def rotate_key_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.keyring import Keyring, KeyringError

    path = args.keyring or settings.signing_keys
    try:
        ring = Keyring.load(path) if path.exists() else None
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if ring is None:
        ring = Keyring.load_or_create(path)
        print(f"created the signing keyring {path} (key {ring.current_kid})")
        return 0
    rotated = ring.rotated()
    rotated.save(path)
    print(
        f"key {rotated.current_kid} signs from now on; {len(rotated.keys) - 1} earlier key(s) kept in "
        f"{path} to verify what they signed (all are published at /.well-known/jwks.json)"
    )
    return 0


def cert_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.services.grades import certificates

    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    keys = _keys(settings, args.jwks)
    if keys is None:
        return 2
    try:
        checked = certificates.verify_jws(text, keys)
    except certificates.JwsError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    if not checked.valid:
        print(f"NOT VERIFIED: {checked.reason}", file=sys.stderr)
        return 1
    print(checked.summary())
    return 0
