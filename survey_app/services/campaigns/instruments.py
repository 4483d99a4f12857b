"""Instrument versions in the database: register bundled files and rebuild `forms.Instrument` objects."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from forms import Instrument, load_bundled, parse_instrument
from forms.loader import parse_instrument_text
from forms.xlsform import read_xlsform
from survey_app.errors import NotFound
from survey_app.models import InstrumentVersion, ident
from survey_app.services import audit


class InstrumentConflict(ValueError):
    """The same instrument id and version is already stored with different content."""


def register(*, session: Session, instrument: Instrument) -> InstrumentVersion:
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
        return row
    row = InstrumentVersion(
        instrument_id=instrument.id,
        version=instrument.version,
        kind=instrument.kind,
        title_zh=instrument.title.zh,
        title_en=instrument.title.en,
        definition=instrument.raw["definition"],
        source_sha256=digest,
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


def import_file(*, session: Session, filename: str, data: bytes, actor: str) -> Imported:
    """One door for an uploaded instrument: a YAML instrument file or an XLSForm workbook, checked, stored
    once, and logged; every problem is returned (nothing is stored when there is one)."""
    name = filename.rsplit("/", 1)[-1][:200] or "form"
    notes: list[tuple[str, str]] = []
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        result = read_xlsform(data, source=name)
        instrument, problems = result.instrument, result.problems
        notes = [(f"{p.file}: {p.path}", p.reason) for p in result.notes]
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Imported(None, [(name, "the file must be UTF-8 text (YAML) or an .xlsx XLSForm")], [])
        instrument, problems = parse_instrument_text(text, source=name)
    if instrument is None or problems:
        return Imported(None, [(f"{p.file}: {p.path}", p.reason) for p in problems], notes)
    try:
        row = register(session=session, instrument=instrument)
    except InstrumentConflict as exc:
        return Imported(None, [(name, str(exc))], notes)
    audit.append(
        session=session, actor=actor, action="instrument.add", subject=f"instrument:{instrument.key}"
    )
    return Imported(row, [], notes)


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
        inst_id: ident(register(session=session, instrument=inst)) for inst_id, inst in load_bundled().items()
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
