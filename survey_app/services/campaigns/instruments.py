"""Instrument versions in the database: register bundled files and rebuild `forms.Instrument` objects."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from forms import Instrument, load_bundled, parse_instrument
from forms.loader import parse_instrument_text
from forms.xlsform import read_xlsform
from survey_app.errors import NotFound
from survey_app.models import InstrumentVersion, User, ident
from survey_app.services import audit


class InstrumentConflict(ValueError):
    """The same instrument id and version is already stored with different content."""


def register(
    *, session: Session, instrument: Instrument, bundled: bool = False, owner_id: int | None = None
) -> InstrumentVersion:
    """Store an instrument version once; the same id and version must keep the same content."""
    row = session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id, InstrumentVersion.version == instrument.version
        )
    ).first()
    digest = instrument.raw.get("sha256", "") or definition_digest(instrument.raw["definition"])
    if row is not None:
        if row.source_sha256 != digest and not same_content(materialise(row), instrument):
            raise InstrumentConflict(
                f"{instrument.key} is already stored with different content; raise its version number"
            )
        if bundled and not row.bundled:  # stored before bundled instruments were marked read-only
            row.bundled = True
            session.add(row)
        return row
    row = InstrumentVersion(
        instrument_id=instrument.id,
        version=instrument.version,
        kind=instrument.kind,
        title_zh=instrument.title.zh,
        title_en=instrument.title.en,
        definition=instrument.raw["definition"],
        source_sha256=digest,
        bundled=bundled,
        owner_id=owner_id,
    )
    session.add(row)
    session.flush()
    return row


def definition_digest(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def same_content(first: Instrument, second: Instrument) -> bool:
    """The same questions, options, rules and wording (whatever file format they came from)."""
    return dataclasses.replace(first, source="") == dataclasses.replace(second, source="")


@dataclass
class Imported:
    row: InstrumentVersion | None
    problems: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    copied_from: str = ""  # the instrument id the upload could not extend (it was stored as a copy)
    stored_already: bool = False  # the same id, version and content was stored before
    # what "import without it" would leave out (refused uploads), and what it did leave out (when asked)
    droppable: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    dropped: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def import_file(
    *,
    session: Session,
    filename: str,
    data: bytes,
    actor: str,
    user: User | None = None,
    without_unsupported: bool = False,
    media: dict[str, bytes] | None = None,
) -> Imported:
    """One door for an uploaded instrument: a YAML instrument file or an XLSForm workbook, checked, stored
    once, and logged; every problem is returned (nothing is stored when there is one).

    Bundled instruments are read-only, and an uploaded instrument takes new versions only from its owner or an
    administrator (`user` None: the command line, an operator): anyone else's upload of the same id is stored
    as their own copy, under an id of their own, and the notes say so. So no one can slip a new version under
    another campaign's instrument. `media`: the files an XLSForm comes with (its CSV lists), by name."""
    name = filename.rsplit("/", 1)[-1][:200] or "form"
    notes: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        result = read_xlsform(data, source=name, without_unsupported=without_unsupported, media=media)
        instrument, problems = result.instrument, result.problems
        notes = [(f"{p.file}: {p.path}", p.reason) for p in result.notes]
        dropped = [(f"{p.file}: {p.path}", p.reason) for p in result.dropped]
        if problems and not without_unsupported:  # would it import with the unsupported parts left out?
            lenient = read_xlsform(data, source=name, without_unsupported=True, media=media)
            if lenient.instrument is not None and not lenient.problems and lenient.dropped:
                refused = [(f"{p.file}: {p.path}", p.reason) for p in problems]
                droppable = [(f"{p.file}: {p.path}", p.reason) for p in lenient.dropped]
                return Imported(None, refused, notes, droppable=droppable)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Imported(None, [(name, "the file must be UTF-8 text (YAML) or an .xlsx XLSForm")], [])
        instrument, problems = parse_instrument_text(text, source=name)
    if instrument is None or problems:
        return Imported(None, [(f"{p.file}: {p.path}", p.reason) for p in problems], notes)
    existing = session.exec(
        select(InstrumentVersion).where(InstrumentVersion.instrument_id == instrument.id).limit(1)
    ).first()
    same = session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id, InstrumentVersion.version == instrument.version
        )
    ).first()
    if same is not None and same_content(materialise(same), instrument):
        return Imported(same, [], notes, stored_already=True)
    copied_from = ""
    if existing is not None and not may_extend(existing, user):
        copy = own_copy(instrument, user)
        taken = session.exec(
            select(InstrumentVersion).where(InstrumentVersion.instrument_id == copy.id).limit(1)
        ).first()
        if taken is not None and not may_extend(taken, user):
            why = f"{instrument.id} and {copy.id} belong to other users: give the form an id of your own"
            return Imported(None, [(name, why)], notes)
        copied_from, instrument = instrument.id, copy
    try:
        row = register(session=session, instrument=instrument, owner_id=user.id if user else None)
    except InstrumentConflict as exc:
        return Imported(None, [(name, str(exc))], notes)
    audit.append(
        session=session,
        actor=actor,
        action="instrument.add",
        subject=f"instrument:{instrument.key}",
        detail={"dropped": [f"{where}: {why}" for where, why in dropped][:50]} if dropped else None,
    )
    return Imported(row, [], notes, copied_from=copied_from, dropped=dropped)


def may_extend(row: InstrumentVersion, user: User | None) -> bool:
    """Whether `user` may add a version to the instrument `row` belongs to (None: the command line)."""
    if row.bundled:
        return False
    return user is None or "admin" in user.roles or (row.owner_id is not None and row.owner_id == user.id)


def own_copy(instrument: Instrument, user: User | None) -> Instrument:
    """The instrument under an id of the uploader's own (`<id>-<username>`, or `<id>-local` from the
    command line)."""
    suffix = re.sub(r"[^a-z0-9]+", "-", (user.username if user else "local").lower()).strip("-") or "copy"
    new_id = f"{instrument.id[: 79 - len(suffix)]}-{suffix}"
    definition = {**instrument.raw["definition"], "id": new_id}
    copy, problems = parse_instrument(definition, source=instrument.source)
    if copy is None:  # the same content under a new, valid id cannot fail to parse
        raise ValueError("; ".join(map(str, problems)))
    return copy


_cache: dict[tuple[int, str], Instrument] = {}


def materialise(row: InstrumentVersion | None) -> Instrument:
    """Rebuild the instrument object of a stored version (cached: a stored version never changes)."""
    if row is None:
        raise LookupError("no such instrument version")
    key = (row.id or 0, row.source_sha256)
    if key not in _cache:
        instrument, problems = parse_instrument(row.definition, source=f"instrumentversion:{row.id}")
        if instrument is None:
            raise ValueError("stored instrument no longer validates: " + "; ".join(map(str, problems)))
        _cache[key] = instrument
    return _cache[key]


def register_bundled(*, session: Session) -> dict[str, int]:
    """Store every bundled instrument version; return instrument id -> row id."""
    return {
        inst_id: ident(register(session=session, instrument=inst, bundled=True))
        for inst_id, inst in load_bundled().items()
    }


def all_versions(*, session: Session) -> list[InstrumentVersion]:
    """Every stored instrument version, by instrument and version."""
    query = select(InstrumentVersion).order_by(
        col(InstrumentVersion.instrument_id), col(InstrumentVersion.version)
    )
    return list(session.exec(query))


def version_of(*, session: Session, instrument_id: str, version: int | None = None) -> InstrumentVersion:
    """One stored version of an instrument (the newest when `version` is None), or NotFound."""
    query = select(InstrumentVersion).where(InstrumentVersion.instrument_id == instrument_id)
    if version is not None:
        query = query.where(InstrumentVersion.version == version)
    row = session.exec(query.order_by(col(InstrumentVersion.version).desc())).first()
    if row is None:
        raise NotFound("not_found")
    return row
