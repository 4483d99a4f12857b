"""The audit log's keys and checkpoints: a checkpoint kept elsewhere proves the log still extends it, a
rotated key signs from then on, rows from before the key are sealed once, concurrent writers keep one chain,
and the keys live outside the database."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlmodel import Session, select

from survey_app import keyring
from survey_app.db import make_engine, unit_of_work
from survey_app.keyring import Keyring
from survey_app.migrate import upgrade
from survey_app.models import AuditHead, AuditLog
from survey_app.services import audit
from survey_app.settings import Settings, SettingsError, load_keyring
from tests.conftest import CliRun
from tests.factories import make_campaign
from tests.web.test_audit_log import _chain_of_five


def test_a_checkpoint_kept_elsewhere_proves_the_log_still_extends_it(
    settings: Settings, cli: CliRun, tmp_path: Path
) -> None:
    chain = _chain_of_five(settings.database_url)
    code, printed = cli("audit", "checkpoint", "--campaign", "AUD-1")
    lines = printed.splitlines()
    assert code == 0 and lines[0] == "mingcha audit checkpoint v1"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "chain",
        "campaign",
        "seq",
        "head",
        "time",
        "key",
        "signature",
    ]
    assert f"chain: {chain}" in lines and "campaign: AUD-1" in lines and "seq: 6" in lines
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(printed, encoding="utf-8")

    # the log grows: it still extends the checkpoint
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as db:
        audit.append(session=db, actor="lead1", action="test", campaign_id=chain, subject="later")
    code, out = cli("audit", "verify", "--checkpoint", str(saved))
    assert code == 0 and f"extends the checkpoint at seq 6 of chain {chain}" in out

    # verified with the published keys alone (a JWK Set file), as a body keeping it elsewhere would
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(Keyring.load(settings.signing_keys).jwks()), encoding="utf-8")
    assert cli("audit", "verify", "--checkpoint", str(saved), "--jwks", str(jwks))[0] == 0

    # a checkpoint whose head was edited to match a rewritten log does not verify (its signature)
    forged = tmp_path / "forged.txt"
    forged.write_text(printed.replace("seq: 6", "seq: 5"), encoding="utf-8")
    code, out = cli("audit", "verify", "--checkpoint", str(forged))
    assert code == 1 and "checkpoint's signature does not verify" in out

    # the log cut back below the checkpoint by someone holding the key (rows and head re-signed): the
    # checkpoint kept elsewhere is what catches it
    with unit_of_work(engine) as db:
        for row in db.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq >= 6)):
            db.delete(row)
        db.flush()
        head = db.get(AuditHead, chain)
        assert head is not None
        fifth = db.exec(select(AuditLog).where(AuditLog.chain == chain, AuditLog.seq == 5)).one()
        head.seq, head.hash = 5, fifth.hash
        db.add(head)
        db.info.setdefault(audit.HEADS, {})[chain] = head  # the key holder signs the moved head
    engine.dispose()
    code, out = cli("audit", "verify", "--campaign", "AUD-1")
    assert code == 0, out  # the key holder's rewrite passes on its own ...
    code, out = cli("audit", "verify", "--checkpoint", str(saved))
    assert code == 1 and "no longer reaches the checkpoint" in out  # ... but not against the checkpoint


@pytest.mark.parametrize(
    "content, said",
    [
        ("", "not a Mingcha audit checkpoint"),
        ("hello\n", "not a Mingcha audit checkpoint"),
        ("mingcha audit checkpoint v1\nchain: 1\n", "lacks"),
        ("mingcha audit checkpoint v1\nwho: me\n", "unexpected line"),
        (
            "mingcha audit checkpoint v1\nchain: x\ncampaign: A\nseq: 1\nhead: "
            + "0" * 64
            + "\ntime: t\nkey: k\nsignature: s\n",
            "whole numbers",
        ),
        (
            "mingcha audit checkpoint v1\nchain: 1\ncampaign: A\nseq: 1\nhead: xyz\ntime: t\nkey: k\n"
            "signature: s\n",
            "64 hexadecimal",
        ),
        (b"\xff\xfe\x00".decode("latin-1"), "not a Mingcha"),
    ],
)
def test_a_malformed_checkpoint_is_exit_2_with_a_reason(
    content: str,
    said: str,
    settings: Settings,
    cli: CliRun,
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    code, out = cli("audit", "verify", "--checkpoint", str(path))
    assert code == 2 and said in out and "Traceback" not in out
    assert cli("audit", "verify", "--checkpoint", str(tmp_path / "none.txt"))[0] == 2
    path.write_bytes(b"\xff\xfe\xfa")
    code, out = cli("audit", "verify", "--checkpoint", str(path))
    assert code == 2 and "cannot read" in out


def test_a_rotated_key_signs_from_then_on_and_the_old_rows_still_verify(
    settings: Settings, cli: CliRun, tmp_path: Path
) -> None:
    chain = _chain_of_five(settings.database_url)
    code, before = cli("audit", "checkpoint", "--campaign", "AUD-1")
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(before, encoding="utf-8")
    old_kid = Keyring.load(settings.signing_keys).current_kid
    code, out = cli("rotate-signing-key")
    ring = Keyring.load(settings.signing_keys)
    assert code == 0 and ring.current_kid != old_kid and old_kid in ring.keys and "1 earlier key" in out
    assert settings.signing_keys.stat().st_mode & 0o777 == 0o600
    keyring.use(ring)  # what the app and the worker load when they restart
    # appended after the rotation: signed with the new key, and everything before still verifies
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as db:
        audit.append(session=db, actor="lead1", action="test", campaign_id=chain, subject="after")
    engine.dispose()
    code, out = cli("audit", "verify", "--checkpoint", str(saved))
    assert code == 0, out
    with unit_of_work(make_engine(settings.database_url), write=False) as db:
        kids = {row.key_id for row in audit.history(session=db, campaign_id=chain)}
        head = db.get(AuditHead, chain)
        assert head is not None and head.key_id == ring.current_kid
    assert kids == {old_kid, ring.current_kid}


def test_rows_written_before_the_log_was_keyed_are_sealed_once_by_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0015")
    old = AuditLog(
        chain=0,
        seq=1,
        at=datetime(2026, 1, 1),
        actor="admin",
        action="user.create",
        subject="u:1",
        detail={},
        prev_hash=audit.GENESIS,
        hash="",
    )
    old.hash = audit.row_hash(audit.GENESIS, old)  # what the code before 0016 wrote
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO auditlog (chain, seq, at, actor, action, subject, old, new, reason, detail,"
                " prev_hash, hash) VALUES (0, 1, '2026-01-01 00:00:00.000000', 'admin', 'user.create',"
                " 'u:1', '', '', '', '{}', :genesis, :hash)"
            ),
            {"genesis": audit.GENESIS, "hash": old.hash},
        )
        conn.execute(
            text("INSERT INTO audithead (chain, seq, hash) VALUES (0, 1, :hash)"), {"hash": old.hash}
        )
    upgrade(url)
    with unit_of_work(engine, write=False) as db:
        assert audit.verify(session=db) == []
    # afterwards an unkeyed row is a forgery: another migrate run does not seal it
    with engine.begin() as conn:
        conn.execute(text("UPDATE auditlog SET mac = '', actor = 'nobody'"))
    with Session(engine) as db:
        row = db.exec(select(AuditLog)).one()
        row.hash = audit.row_hash(audit.GENESIS, row)
        db.add(row)
        head = db.get(AuditHead, 0)
        assert head is not None
        head.hash = row.hash
        db.add(head)
        db.commit()
    upgrade(url)
    with unit_of_work(engine, write=False) as db:
        broken = audit.verify(session=db)
    engine.dispose()
    assert len(broken) == 1 and "HMAC" in str(broken[0])


def test_concurrent_appends_on_postgres_keep_one_chain(pg_url: str) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url)
    with unit_of_work(engine) as db:
        campaign, _ = make_campaign(db, code="PG-AUD")
        campaign_id = campaign.id
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for k in range(15):
                with unit_of_work(engine) as db:
                    audit.append(
                        session=db, actor=f"w{n}", action="test", campaign_id=campaign_id, subject=f"{n}:{k}"
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with unit_of_work(engine, write=False) as db:
        rows = audit.history(session=db, campaign_id=campaign_id)
        assert [r.seq for r in rows if r.action == "test"] == sorted(
            r.seq for r in rows if r.action == "test"
        )
        assert sum(r.action == "test" for r in rows) == 90
        assert audit.verify(session=db) == []
    engine.dispose()


def test_the_signing_keys_live_outside_the_database_and_production_requires_them(tmp_path: Path) -> None:
    dev = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp_path)})
    ring = load_keyring(dev)
    assert dev.signing_keys == tmp_path / "signing_keys.json"
    assert dev.signing_keys.stat().st_mode & 0o777 == 0o600, "readable by its owner only"
    assert load_keyring(dev).current_kid == ring.current_kid, "created once, then read"
    production = {
        "MINGCHA_ENV": "production",
        "MINGCHA_VAR_DIR": str(tmp_path),
        "MINGCHA_SECRET_KEY": "s" * 40,
        "MINGCHA_DATA_KEY": Fernet.generate_key().decode(),
    }
    with pytest.raises(SettingsError, match="MINGCHA_SIGNING_KEYS"):
        Settings.from_env(production)
    with pytest.raises(SettingsError, match="no keyring"):
        Settings.from_env({**production, "MINGCHA_SIGNING_KEYS": str(tmp_path / "missing.json")})
    from_file = Settings.from_env({**production, "MINGCHA_SIGNING_KEYS": str(dev.signing_keys)})
    assert load_keyring(from_file).current_kid == ring.current_kid
    from_env = Settings.from_env({**production, "MINGCHA_SIGNING_KEYRING": ring.to_json()})
    assert load_keyring(from_env).current_kid == ring.current_kid
    assert ring.to_json() not in repr(from_env), "the keyring never shows in a settings dump"
