"""Instrument versions in the database: register bundled files and rebuild `forms.Instrument` objects."""

from __future__ import annotations

from sqlmodel import Session, select

from forms import Instrument, load_bundled, parse_instrument
from survey_app.models import InstrumentVersion, ident


class InstrumentConflict(ValueError):
    """The same instrument id and version is already stored with different content."""


def register(*, session: Session, instrument: Instrument) -> InstrumentVersion:
    """Store an instrument version once; the same id and version must keep the same content."""
    row = session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument.id, InstrumentVersion.version == instrument.version
        )
    ).first()
    digest = instrument.raw.get("sha256", "")
    if row is not None:
        if row.source_sha256 != digest:
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
