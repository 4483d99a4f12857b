"""The audit log: every chain verifies, tampering is named, concurrent writers keep one chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from survey_app.cli.main import main
from survey_app.db import make_engine, unit_of_work
from survey_app.migrate import upgrade
from survey_app.services import audit
from survey_app.settings import Settings
from tests.factories import make_campaign


def _chain_of_five(engine_url: str) -> int:
    engine = make_engine(engine_url)
    with unit_of_work(engine) as db:
        campaign, _ = make_campaign(db, code="AUD-1")
        for n in range(5):
            audit.append(
                session=db,
                actor="lead1",
                action="test",
                campaign_id=campaign.id,
                subject=f"n:{n}",
                reason=f"r{n}",
            )
        chain = campaign.id or 0
    engine.dispose()
    return chain


def _verify_cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    code = main(["audit", "verify", "--campaign", "AUD-1"])
    out = capsys.readouterr()
    return code, out.out + out.err


TAMPERING = {
    "edited": (
        "UPDATE auditlog SET reason = 'nothing happened' WHERE chain = :c AND seq = 3",
        "seq 3",
        "changed",
    ),
    "deleted": ("DELETE FROM auditlog WHERE chain = :c AND seq = 2", "seq 2", "missing"),
    "deleted last": ("DELETE FROM auditlog WHERE chain = :c AND seq = 5", "seq 5", "head"),
    "reordered": (
        "UPDATE auditlog SET seq = -seq WHERE chain = :c AND seq IN (2, 4);"
        "UPDATE auditlog SET seq = CASE seq WHEN -2 THEN 4 WHEN -4 THEN 2 END WHERE chain = :c AND seq < 0",
        "seq 2",
        "",
    ),
    "re-hashed edit": (
        "UPDATE auditlog SET actor = 'someone else', hash = prev_hash WHERE chain = :c AND seq = 4",
        "seq 4",
        "",
    ),
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_tampering_with_one_row_is_named_by_audit_verify(
    how: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _chain_of_five(settings.database_url)
    assert _verify_cli(settings, monkeypatch, capsys)[0] == 0
    sql, where, why = TAMPERING[how]
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement), {"c": chain})
    engine.dispose()
    code, out = _verify_cli(settings, monkeypatch, capsys)
    assert code == 1 and where in out and why in out, out


def test_audit_show_prints_the_chain(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _chain_of_five(settings.database_url)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["audit", "show", "--campaign", "AUD-1"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if " test " in line]
    assert len(lines) == 5 and "n:0" in lines[0] and "(r4)" in lines[-1]


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
