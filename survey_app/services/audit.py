"""The audit log: append (hash-chained, keyed, serialised per chain), verify, checkpoints, show.

Every row stores SHA-256 over the previous row's hash and its own canonical content (chain, seq, time,
actor, action, campaign, subject, old -> new, reason, detail), and an HMAC of that hash with a key kept
outside the database (the signing keyring's row key). Each chain's head (its last seq and hash) is signed
with the keyring's Ed25519 key whenever a transaction that appended to it commits. So someone who can write
the database but does not hold the keyring cannot edit, insert, delete, re-hash, truncate or extend a
chain, nor drop a campaign's whole chain (every campaign must have one), without `verify` naming the break.
A checkpoint (a signed statement of a chain's seq and head hash at a moment) kept elsewhere proves later
that the log still extends it. Appends lock the chain's head row (`SELECT ... FOR UPDATE` on PostgreSQL;
SQLite serialises writers with BEGIN IMMEDIATE), so two writers cannot both extend the same row.
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

from survey_app import keyring
from survey_app.clock import utcnow
from survey_app.keyring import Keyring, VerifyingKey, b64url, unb64url
from survey_app.models import AuditHead, AuditLog, Campaign

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


def head_statement(chain: int, seq: int, head_hash: str) -> bytes:
    """What a chain head's signature covers."""
    return f"mingcha audit head v1\nchain: {chain}\nseq: {seq}\nhead: {head_hash}\n".encode()


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


@event.listens_for(Session, "before_commit")
def _sign_heads(session: Session) -> None:
    """Sign every head this transaction moved, once, just before it commits."""
    heads: dict[int, AuditHead] = session.info.get(HEADS, {})
    if not heads:
        return
    ring = keyring.active()
    for head in heads.values():
        kid, signature = ring.sign(head_statement(head.chain, head.seq, head.hash))
        head.signature, head.key_id = b64url(signature), kid
        session.add(head)


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
    ring = keyring.active()
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
    row.mac, row.key_id = ring.mac(row.hash.encode()), ring.current_kid
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


def _walk(session: Session, chain: int, ring: Keyring) -> tuple[Break | None, int, str, int | None]:
    """Recompute a chain from its first row: (first break, last seq, last hash, last row id)."""
    prev, expected, last_id = GENESIS, 1, None
    for row in _rows(session=session, chain=chain):
        seq, why = row.seq, ""
        if row.seq != expected:
            seq, why = expected, f"row seq {expected} is missing or out of order (found seq {row.seq})"
        elif row.prev_hash != prev:
            why = "does not link to the previous row (prev_hash differs)"
        elif row_hash(prev, row) != row.hash:
            why = "content does not match its hash (the row was changed)"
        elif not ring.mac_matches(row.hash.encode(), row.key_id, row.mac):
            why = "its HMAC does not verify (the row was written or re-hashed without the key)"
        if why:
            return Break(chain, seq, row.id, why), 0, "", None
        prev, expected, last_id = row.hash, expected + 1, row.id
    return None, expected - 1, prev, last_id


def verify_chain(*, session: Session, chain: int, ring: Keyring | None = None) -> Break | None:
    """Recompute one chain and check its signed head; return the first break, or None when it is intact."""
    ring = ring or keyring.active()
    found, count, last_hash, last_id = _walk(session, chain, ring)
    if found is not None:
        return found
    head = session.get(AuditHead, chain)
    if head is None:
        return None if count == 0 else Break(chain, count, last_id, "the chain has no head row")
    if head.seq != count or head.hash != last_hash:
        return Break(
            chain,
            head.seq,
            None,
            f"the head says seq {head.seq} but the rows end at seq {count} "
            "(rows were deleted from the end, or the head was changed)",
        )
    if count and not _head_signed(head, ring.verifiers()):
        why = "the head's signature does not verify (the chain's end was cut off or extended without the key)"
        return Break(chain, head.seq, None, why)
    return None


def _head_signed(head: AuditHead, keys: dict[str, VerifyingKey]) -> bool:
    key = keys.get(head.key_id)
    try:
        signature = unb64url(head.signature)
    except ValueError:
        return False
    return key is not None and key.verify(signature, head_statement(head.chain, head.seq, head.hash))


def chains(*, session: Session) -> list[int]:
    """Every chain that has rows or a head, and every campaign's (each campaign must have one)."""
    found = (
        set(session.exec(select(AuditLog.chain).distinct()).all())
        | set(session.exec(select(AuditHead.chain)).all())
        | {int(i) for i in session.exec(select(Campaign.id)).all() if i is not None}
    )
    return sorted(found)


def verify(*, session: Session, chain: int | None = None) -> list[Break]:
    """Verify one chain or all of them (a campaign's chain must exist); the first break of each broken one."""
    ring = keyring.active()
    out = []
    for c in [chain] if chain is not None else chains(session=session):
        broken = verify_chain(session=session, chain=c, ring=ring)
        if broken is None and c != GLOBAL_CHAIN and session.get(AuditHead, c) is None:
            if session.get(Campaign, c) is not None:  # a campaign is created with its first audit row
                broken = Break(
                    c, 0, None, "the campaign's audit chain is missing (its rows and head were deleted)"
                )
        if broken is not None:
            out.append(broken)
    return out


def seal(*, session: Session) -> int:
    """Key the rows and sign the heads written before the audit log was keyed (run by `migrate`); return
    how many rows were sealed. What they said until then is trusted as it stands (docs/security.md)."""
    ring = keyring.active()
    sealed = 0
    for row in session.exec(select(AuditLog).where(AuditLog.mac == "").order_by(col(AuditLog.id))):
        row.mac, row.key_id = ring.mac(row.hash.encode()), ring.current_kid
        session.add(row)
        sealed += 1
    for head in session.exec(select(AuditHead).where(AuditHead.signature == "")):
        kid, signature = ring.sign(head_statement(head.chain, head.seq, head.hash))
        head.signature, head.key_id = b64url(signature), kid
        session.add(head)
    return sealed


# -- checkpoints: a chain's state at a moment, signed, to be kept elsewhere --

CHECKPOINT_FIELDS = ("chain", "campaign", "seq", "head", "time", "key")
CHECKPOINT_TITLE = "mingcha audit checkpoint v1"


class CheckpointError(ValueError):
    """A checkpoint text that cannot be read (malformed, not ours)."""


@dataclass(frozen=True)
class Checkpoint:
    chain: int
    campaign: str
    seq: int
    head: str
    time: str
    key: str
    signature: str

    def statement(self) -> bytes:
        lines = [CHECKPOINT_TITLE, *(f"{name}: {getattr(self, name)}" for name in CHECKPOINT_FIELDS)]
        return ("\n".join(lines) + "\n").encode()

    def text(self) -> str:
        return self.statement().decode() + f"signature: {self.signature}\n"


def checkpoint(*, session: Session, chain: int) -> Checkpoint:
    """A signed checkpoint of the chain as it stands in this transaction (its head's seq and hash)."""
    heads: dict[int, AuditHead] = session.info.get(HEADS, {})
    head = heads.get(chain) or session.get(AuditHead, chain)
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    found = session.get(Campaign, chain) if chain != GLOBAL_CHAIN else None
    ring = keyring.active()
    unsigned = Checkpoint(
        chain=chain,
        campaign=found.code if found else "",
        seq=seq,
        head=head_hash,
        time=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        key=ring.current_kid,
        signature="",
    )
    _kid, signature = ring.sign(unsigned.statement())
    return Checkpoint(**{**unsigned.__dict__, "signature": b64url(signature)})


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint text strictly (raises CheckpointError with a plain reason)."""
    lines = text.strip().splitlines()
    if not lines or lines[0].strip() != CHECKPOINT_TITLE:
        raise CheckpointError(f"not a Mingcha audit checkpoint (the first line must be '{CHECKPOINT_TITLE}')")
    values: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or name.strip() not in (*CHECKPOINT_FIELDS, "signature") or name.strip() in values:
            raise CheckpointError(f"unexpected line in the checkpoint: {line[:60]!r}")
        values[name.strip()] = value.strip()
    missing = [f for f in (*CHECKPOINT_FIELDS, "signature") if f not in values]
    if missing:
        raise CheckpointError(f"the checkpoint lacks {', '.join(missing)}")
    try:
        chain, seq = int(values["chain"]), int(values["seq"])
    except ValueError:
        raise CheckpointError("chain and seq must be whole numbers") from None
    if len(values["head"]) != 64 or any(c not in "0123456789abcdef" for c in values["head"]):
        raise CheckpointError("head must be 64 hexadecimal digits")
    return Checkpoint(
        chain, values["campaign"], seq, values["head"], values["time"], values["key"], values["signature"]
    )


def verify_checkpoint(*, session: Session, point: Checkpoint, keys: dict[str, VerifyingKey]) -> Break | None:
    """None when the checkpoint is genuine and the log still extends it (its row at that seq has that hash,
    and the chain verifies); otherwise what broke."""
    key = keys.get(point.key)
    try:
        signature = unb64url(point.signature)
    except ValueError:
        signature = b""
    if key is None or not key.verify(signature, point.statement()):
        return Break(
            point.chain, point.seq, None, "the checkpoint's signature does not verify with the keys given"
        )
    broken = verify_chain(session=session, chain=point.chain)
    if broken is not None:
        return broken
    if point.seq == 0:
        return None
    row = session.exec(
        select(AuditLog).where(AuditLog.chain == point.chain, AuditLog.seq == point.seq)
    ).first()
    if row is None:
        return Break(
            point.chain, point.seq, None, "the log no longer reaches the checkpoint (it was cut back)"
        )
    if row.hash != point.head:
        return Break(
            point.chain, point.seq, row.id, "the log was rewritten since the checkpoint (its hash differs)"
        )
    return None


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
