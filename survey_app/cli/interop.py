"""Command-line handlers for interoperability: instruments in and out as XLSForm (or YAML), API tokens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from survey_app.settings import Settings


def add_interop_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inst = sub.add_parser("instrument", help="import or export an instrument (XLSForm .xlsx or YAML)")
    inst_sub = inst.add_subparsers(dest="instrument_command", required=True)
    imp = inst_sub.add_parser(
        "import", help="check and store a form; prints id and version, or every problem"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--media", type=Path, nargs="*", default=[], help="the CSV files of select_one_from_file questions"
    )
    exp = inst_sub.add_parser("export", help="write a stored instrument as an XLSForm")
    exp.add_argument("instrument")
    exp.add_argument("--version", type=int, default=None, help="default: the newest")
    exp.add_argument("--out", type=Path, required=True)
    token = sub.add_parser("token", help="read-API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    add = token_sub.add_parser("add", help="create a token; prints it alone on the last line")
    add.add_argument("--username", required=True)
    add.add_argument("--campaign", action="append", default=[], help="limit to a campaign (repeatable)")
    add.add_argument("--name", default="")
    lst = token_sub.add_parser("list", help="a user's tokens (never the tokens themselves)")
    lst.add_argument("--username", required=True)
    rev = token_sub.add_parser("revoke", help="revoke a token by its id")
    rev.add_argument("--username", required=True)
    rev.add_argument("--id", type=int, required=True)


def instrument_command(settings: Settings, args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from forms.xlsform_export import write_xlsform
    from survey_app.db import make_engine, unit_of_work
    from survey_app.models import InstrumentVersion
    from survey_app.services.campaigns.instruments import import_file, materialise

    engine = make_engine(settings.database_url)
    if args.instrument_command == "import":
        media: dict[str, bytes] = {}
        try:
            data = args.file.read_bytes()
            for path in args.media:
                media[path.name] = path.read_bytes()
        except OSError as exc:
            print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
            return 2
        with unit_of_work(engine) as session:
            result = import_file(
                session=session, filename=args.file.name, data=data, actor="cli", media=media
            )
            for where, reason in result.notes:
                print(f"note: {where}: {reason}", file=sys.stderr)
            if result.row is None:
                for where, reason in result.problems:
                    print(f"{where}: {reason}", file=sys.stderr)
                print(f"{len(result.problems)} problem(s); nothing was stored", file=sys.stderr)
                return 2
            if result.copied_from:
                print(
                    f"note: {result.copied_from} is bundled (read-only) or another user's: stored as a copy, "
                    f"{result.row.instrument_id}",
                    file=sys.stderr,
                )
            if result.stored_already:
                print("note: this version was stored already, word for word", file=sys.stderr)
            print(f"{result.row.instrument_id} {result.row.version}")
        return 0
    with unit_of_work(engine, write=False) as session:
        query = select(InstrumentVersion).where(InstrumentVersion.instrument_id == args.instrument)
        if args.version is not None:
            query = query.where(InstrumentVersion.version == args.version)
        row = session.exec(query.order_by(col(InstrumentVersion.version).desc())).first()
        if row is None:
            print(f"error: no instrument {args.instrument!r}", file=sys.stderr)
            return 2
        data = write_xlsform(materialise(row))
        key = f"{row.instrument_id} version {row.version}"
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{args.out} ({key})")
    return 0


def token_command(settings: Settings, args: argparse.Namespace) -> int:
    from survey_app.auth.accounts import find_user
    from survey_app.db import make_engine, unit_of_work
    from survey_app.errors import DomainError
    from survey_app.services.api import tokens

    with unit_of_work(make_engine(settings.database_url)) as session:
        user = find_user(session=session, username=args.username)
        if user is None:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 2
        try:
            if args.token_command == "add":
                row, plain = tokens.create(
                    session=session, user=user, name=args.name, campaign_codes=args.campaign, actor="cli"
                )
                scope = ", ".join(args.campaign) or "all campaigns the user can see"
                print(f"token {row.id} for {user.username} ({scope}); shown once:")
                print(plain)
            elif args.token_command == "revoke":
                tokens.revoke(session=session, token_id=args.id, user=user, actor="cli")
                print(f"token {args.id} revoked")
            else:
                for t in tokens.tokens_of(session=session, user=user):
                    state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                    used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
                    print(f"{t.id}\t{t.prefix}…\t{t.name}\t{state}\tlast used {used}")
        except DomainError as exc:
            print(f"error: {exc.code}", file=sys.stderr)
            return 2
    return 0
