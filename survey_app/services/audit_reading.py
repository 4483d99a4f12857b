"""Reading a campaign's audit chain as a person does: filtered by kind, person and day, a page at a time, or
all of it for a download (the chain itself, its keys and its verification are in `services.audit`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from survey_app.models import AuditLog


@dataclass(frozen=True)
class LogFilter:
    """What a reader narrowed a chain to: a kind (an action, or a family such as "visit."), a person, days."""

    kind: str = ""
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(chain: int, f: LogFilter) -> Any:
    query = select(AuditLog).where(AuditLog.chain == chain)
    if f.kind:
        if f.kind.endswith("."):
            query = query.where(col(AuditLog.action).startswith(f.kind))
        else:
            query = query.where(AuditLog.action == f.kind)
    if f.actor:
        query = query.where(AuditLog.actor == f.actor)
    if f.since is not None:
        query = query.where(col(AuditLog.at) >= f.since)
    if f.until is not None:
        query = query.where(col(AuditLog.at) < f.until)
    return query


def rows_page(
    *, session: Session, chain: int, where: LogFilter, offset: int = 0, limit: int = 50
) -> tuple[list[AuditLog], int]:
    """One page of a chain's rows, newest first, and how many match (counted up to 100,000)."""
    query = _filtered(chain, where)
    rows = list(session.exec(query.order_by(col(AuditLog.seq).desc()).offset(offset).limit(limit)))
    counted = select(func.count()).select_from(query.limit(100_000).subquery())
    return rows, int(session.exec(counted).one())


def all_rows(*, session: Session, chain: int, where: LogFilter) -> Iterator[AuditLog]:
    """Every matching row of a chain, oldest first (for a download)."""
    query = _filtered(chain, where).order_by(col(AuditLog.seq))
    yield from session.exec(query.execution_options(yield_per=1000))


def kinds_and_people(*, session: Session, chain: int) -> tuple[list[str], list[str]]:
    """The actions and the actors a chain holds (for its filters)."""
    actions = session.exec(select(AuditLog.action).where(AuditLog.chain == chain).distinct()).all()
    actors = session.exec(select(AuditLog.actor).where(AuditLog.chain == chain).distinct()).all()
    return sorted(actions), sorted(actors)


def chain_length(*, session: Session, chain: int) -> int:
    return int(session.exec(select(func.count()).where(AuditLog.chain == chain)).one())
