"""The audit log: every chain verifies; tampering by someone who can write the database but does not hold
the key is named (edits, deletions, re-hashing, truncation, forged rows, a dropped chain); `audit show`
prints a chain. The keys and checkpoints are tested in test_audit_keys.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from survey_app.db import make_engine, unit_of_work
from survey_app.models import AuditHead, AuditLog
from survey_app.services import audit
from survey_app.settings import Settings
from tests.conftest import CliRun
from tests.factories import make_campaign

# seq 1 is the campaign's creation; the test rows are seq 2..6 ("contact.reveal" at 3 and 5)
ACTIONS = ["test", "contact.reveal", "test", "contact.reveal", "test"]


def _chain_of_five(engine_url: str) -> int:
    engine = make_engine(engine_url)
    with unit_of_work(engine) as db:
        campaign, _ = make_campaign(db, code="AUD-1")
        for n, action in enumerate(ACTIONS):
            audit.append(
                session=db,
                actor="lead1",
                action=action,
                campaign_id=campaign.id,
                subject=f"n:{n}",
                reason=f"r{n}",
            )
        chain = campaign.id or 0
    engine.dispose()
    return chain


def _sql(script: str) -> Callable[[Connection, int], None]:
    def run(conn: Connection, chain: int) -> None:
        for statement in script.split(";"):
            conn.execute(text(statement), {"c": chain})

    return run


def _rehash_from(session: Session, chain: int, seq: int) -> None:
    """What an attacker without the key does: renumber and re-hash every row from `seq`, move the head."""
    rows = session.exec(
        select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq >= seq).order_by(col(AuditLog.seq))
    ).all()
    prev = session.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq == seq - 1)).one()
    prev_hash, next_seq = prev.hash, seq
    for row in rows:
        row.seq, row.prev_hash = next_seq, prev_hash
        row.hash = audit.row_hash(prev_hash, row)
        prev_hash, next_seq = row.hash, next_seq + 1
        session.add(row)
    head = session.get(AuditHead, chain)
    assert head is not None
    head.seq, head.hash = next_seq - 1, prev_hash
    session.add(head)


def _orm(change: Callable[[Session, int], None]) -> Callable[[Connection, int], None]:
    def run(conn: Connection, chain: int) -> None:
        with Session(bind=conn) as session:
            change(session, chain)
            session.flush()

    return run


def _drop_reveals(session: Session, chain: int) -> None:
    for row in session.exec(
        select(AuditLog).where(AuditLog.chain == chain, AuditLog.action == "contact.reveal")
    ):
        session.delete(row)
    session.flush()
    _rehash_from(session, chain, 3)


def _forge_appended(session: Session, chain: int) -> None:
    head = session.get(AuditHead, chain)
    assert head is not None
    last = session.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq == head.seq)).one()
    forged = AuditLog(
        chain=chain,
        seq=head.seq + 1,
        at=last.at,
        actor="lead1",
        action="grade.lock",
        campaign_id=chain,
        prev_hash=last.hash,
        hash="",
        mac=last.mac,  # the last genuine HMAC, the best a forger without the key can copy
        key_id=last.key_id,
    )
    forged.hash = audit.row_hash(last.hash, forged)
    head.seq, head.hash = forged.seq, forged.hash
    session.add(forged)
    session.add(head)


def _roll_back_end(session: Session, chain: int) -> None:
    head = session.get(AuditHead, chain)
    assert head is not None
    last = session.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq == head.seq)).one()
    head.seq, head.hash = last.seq - 1, last.prev_hash
    session.delete(last)
    session.add(head)


def _rehash_edit(session: Session, chain: int) -> None:
    row = session.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq == 4)).one()
    row.actor = "someone else"
    session.add(row)
    session.flush()
    _rehash_from(session, chain, 4)


# how: (the change, where verify must say it broke, what it must say)
TAMPERING: dict[str, tuple[Callable[[Connection, int], None], str, str]] = {
    "edited": (
        _sql("UPDATE auditlog SET reason = 'nothing happened' WHERE chain = :c AND seq = 3"),
        "seq 3",
        "changed",
    ),
    "deleted": (_sql("DELETE FROM auditlog WHERE chain = :c AND seq = 2"), "seq 2", "missing"),
    "deleted last": (_sql("DELETE FROM auditlog WHERE chain = :c AND seq = 6"), "seq 6", "head"),
    "deleted last, head rolled back": (_orm(_roll_back_end), "seq 5", "signature"),
    "forged row appended, hash and head recomputed": (_orm(_forge_appended), "seq 7", "HMAC"),
    "contact.reveal rows deleted, chain re-hashed": (_orm(_drop_reveals), "seq 3", "HMAC"),
    "edited and re-hashed to the end": (_orm(_rehash_edit), "seq 4", "HMAC"),
    "reordered": (
        _sql(
            "UPDATE auditlog SET seq = -seq WHERE chain = :c AND seq IN (2, 4);"
            "UPDATE auditlog SET seq = CASE seq WHEN -2 THEN 4 WHEN -4 THEN 2 END"
            " WHERE chain = :c AND seq < 0"
        ),
        "seq 2",
        "",
    ),
    "re-hashed edit": (
        _sql("UPDATE auditlog SET actor = 'someone else', hash = prev_hash WHERE chain = :c AND seq = 4"),
        "seq 4",
        "",
    ),
    "head signature copied from another state": (
        _sql("UPDATE audithead SET seq = seq - 1 WHERE chain = :c"),
        "seq 5",
        "head",
    ),
    "whole chain and head deleted": (
        _sql("DELETE FROM auditlog WHERE chain = :c; DELETE FROM audithead WHERE chain = :c"),
        "seq 0",
        "missing",
    ),
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
@pytest.mark.parametrize("scope", ["--campaign", "every chain"])
def test_tampering_is_named_by_audit_verify(
    how: str,
    scope: str,
    settings: Settings,
    cli: CliRun,
) -> None:
    chain = _chain_of_five(settings.database_url)
    extra = ["--campaign", "AUD-1"] if scope == "--campaign" else []
    assert cli("audit", "verify", *extra) == (
        0,
        f"audit log intact: {1 if extra else len(_chains(settings))} chain(s) verified\n",
    )
    change, where, why = TAMPERING[how]
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        change(conn, chain)
    engine.dispose()
    code, out = cli("audit", "verify", *extra)
    assert code == 1 and f"BROKEN chain {chain}: {where} " in out and why in out, out
    assert "intact" not in out


def _chains(settings: Settings) -> list[int]:
    engine = make_engine(settings.database_url)
    with unit_of_work(engine, write=False) as db:
        found = audit.chains(session=db)
    engine.dispose()
    return found


def test_audit_show_prints_the_chain(settings: Settings, cli: CliRun) -> None:
    _chain_of_five(settings.database_url)
    code, out = cli("audit", "show", "--campaign", "AUD-1")
    lines = [line for line in out.splitlines() if " n:" in line]
    assert code == 0 and len(lines) == 5 and "n:0" in lines[0] and "(r4)" in lines[-1]
    assert "campaign.create" in out.splitlines()[0]
