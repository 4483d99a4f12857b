"""The audit log: append (hash-chained, serialised per chain), verify, show.

Every row stores SHA-256 over the previous row's hash and its own canonical content (chain, seq, time,
actor, action, campaign, subject, old -> new, reason, detail). `verify` recomputes every chain, so an
edited, deleted, inserted or reordered row names itself. Appends lock the chain's head row
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE), so two writers
cannot both extend the same row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.models import AuditHead, AuditLog

GENESIS = "0" * 64
GLOBAL_CHAIN = 0


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(row: AuditLog) -> str:
    """The row's content as the chain hashes it (stable key order, no whitespace)."""
    content = {
        "chain": row.chain,
        "seq": row.seq,
        "at": _iso(row.at),
        "actor": row.actor,
        "action": row.action,
        "campaign": row.campaign_id,
        "subject": row.subject,
        "old": row.old,
        "new": row.new,
        "reason": row.reason,
        "detail": row.detail,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_hash(prev_hash: str, row: AuditLog) -> str:
    """SHA-256 over the previous hash and this row's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(row)}".encode()).hexdigest()


HEADS = "mingcha_audit_heads"


def _locked_head(*, session: Session, chain: int) -> AuditHead:
    """The chain's head, locked for the rest of the transaction (created on first use); read once per
    transaction (a callback draw appends thousands of rows to one chain)."""
    heads: dict[int, AuditHead] = session.info.setdefault(HEADS, {})
    if chain in heads:
        return heads[chain]
    dialect = session.get_bind().dialect.name
    values = {"chain": chain, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        session.execute(pg_insert(AuditHead).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite_insert(AuditHead).values(**values).on_conflict_do_nothing())
    head = session.exec(
        select(AuditHead)
        .where(AuditHead.chain == chain)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    heads[chain] = head
    return head


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session: Session, *_args: Any) -> None:
    """A head is locked only until its transaction ends (a savepoint rolled back: read it again)."""
    session.info.pop(HEADS, None)


def append(
    *,
    session: Session,
    actor: str,
    action: str,
    campaign_id: int | None = None,
    subject: str = "",
    old: str = "",
    new: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one row at the end of the campaign's chain (or the global chain), in the caller's transaction."""
    chain = campaign_id or GLOBAL_CHAIN
    head = _locked_head(session=session, chain=chain)
    row = AuditLog(
        chain=chain,
        seq=head.seq + 1,
        at=utcnow(),
        actor=actor[:120],
        action=action[:60],
        campaign_id=campaign_id,
        subject=subject[:120],
        old=str(old)[:60],
        new=str(new)[:60],
        reason=reason[:1000],
        detail=detail or {},
        prev_hash=head.hash,
        hash="",
    )
    row.hash = row_hash(head.hash, row)
    head.seq, head.hash = row.seq, row.hash
    session.add(row)
    session.add(head)
    return row


@dataclass(frozen=True)
class Break:
    """The first place a chain does not verify."""

    chain: int
    seq: int
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row id {self.row_id}" if self.row_id is not None else "end of chain"
        return f"chain {self.chain}: seq {self.seq} ({where}): {self.reason}"


def _rows(*, session: Session, chain: int) -> Iterator[AuditLog]:
    query = select(AuditLog).where(AuditLog.chain == chain).order_by(col(AuditLog.seq), col(AuditLog.id))
    yield from session.exec(query.execution_options(yield_per=1000))


def verify_chain(*, session: Session, chain: int) -> Break | None:
    """Recompute one chain from its first row; return the first break, or None when it is intact."""
    prev, expected, last_id = GENESIS, 1, None
    for row in _rows(session=session, chain=chain):
        if row.seq != expected:
            missing = "missing" if row.seq > expected else "repeated or out of order"
            return Break(chain, expected, row.id, f"row seq {expected} is {missing} (found seq {row.seq})")
        if row.prev_hash != prev:
            return Break(chain, row.seq, row.id, "does not link to the previous row (prev_hash differs)")
        if row_hash(prev, row) != row.hash:
            return Break(chain, row.seq, row.id, "content does not match its hash (the row was changed)")
        prev, expected, last_id = row.hash, expected + 1, row.id
    head = session.get(AuditHead, chain)
    count = expected - 1
    if head is None:
        return None if count == 0 else Break(chain, count, last_id, "the chain has no head row")
    if head.seq != count or head.hash != prev:
        return Break(
            chain,
            head.seq,
            None,
            f"the head says seq {head.seq} but the rows end at seq {count} "
            "(rows were deleted from the end, or the head was changed)",
        )
    return None


def chains(*, session: Session) -> list[int]:
    """Every chain that has rows or a head."""
    found = set(session.exec(select(AuditLog.chain).distinct()).all()) | set(
        session.exec(select(AuditHead.chain)).all()
    )
    return sorted(found)


def verify(*, session: Session, chain: int | None = None) -> list[Break]:
    """Verify one chain or all of them; return the first break of each broken chain."""
    breaks = [
        verify_chain(session=session, chain=c)
        for c in ([chain] if chain is not None else chains(session=session))
    ]
    return [b for b in breaks if b is not None]


def history(*, session: Session, campaign_id: int | None, subject: str | None = None) -> list[AuditLog]:
    """A chain's rows in order (optionally only those about one subject)."""
    query = select(AuditLog).where(AuditLog.chain == (campaign_id or GLOBAL_CHAIN))
    if subject is not None:
        query = query.where(AuditLog.subject == subject)
    return list(session.exec(query.order_by(col(AuditLog.seq))))


def format_row(row: AuditLog, tz: str = "UTC") -> str:
    """One line for `audit show`."""
    from zoneinfo import ZoneInfo

    at = row.at.replace(tzinfo=row.at.tzinfo or UTC).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")
    change = f" {row.old or '-'} -> {row.new or '-'}" if row.old or row.new else ""
    reason = f" ({row.reason})" if row.reason else ""
    detail = f" {json.dumps(row.detail, ensure_ascii=False, sort_keys=True)}" if row.detail else ""
    return f"{row.seq:>6} {at} {row.actor:<12} {row.action:<22} {row.subject}{change}{reason}{detail}"
