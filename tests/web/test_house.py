"""The house: one unit of work per request, one door per status change, an audit log that proves itself."""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.cli.main import main
from survey_app.db import make_engine, unit_of_work
from survey_app.errors import Invalid, Locked
from survey_app.migrate import upgrade
from survey_app.models import (
    AuditLog,
    Campaign,
    CampaignMember,
    GradeSnapshot,
    ResponseStatus,
    SurveyResponse,
)
from survey_app.services import audit
from survey_app.services.review import status
from survey_app.settings import Settings
from tests.factories import csrf_of, login, make_campaign, make_user

S = ResponseStatus


def test_a_failure_half_way_through_creating_a_campaign_leaves_nothing(
    settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "lead1", ["lead"])
    field = make_user(session, "field1", ["field"])
    from survey_app.services.campaigns import lifecycle

    def boom(**_kwargs: object) -> None:
        raise RuntimeError("the disk filled up while assigning the team")

    monkeypatch.setattr(lifecycle, "assign_field_auditors", boom)
    instrument = session.exec(text("SELECT id FROM instrumentversion WHERE kind = 'survey'")).first()
    with TestClient(create_app(settings), follow_redirects=False, raise_server_exceptions=False) as client:
        login(client, "lead1")
        form = {
            "_csrf": csrf_of(client),
            "code": "HALF-1",
            "name_zh": "半途失败",
            "organisation": "某物业",
            "scheme": "property-estate",
            "instrument": str(instrument[0]),
            "starts_at": "2027-03-01T09:00",
            "deadline": "2027-03-31T18:00",
            "field_auditors": str(field.id),
        }
        assert client.post("/campaigns/new", data=form).status_code == 500
    assert session.exec(select(Campaign).where(Campaign.code == "HALF-1")).first() is None
    assert session.exec(select(func.count()).select_from(CampaignMember)).one() == 0
    actions = session.exec(select(AuditLog.action)).all()
    assert "campaign.create" not in actions and "member.add" not in actions


def _response(session: Session, campaign: Campaign, status: str) -> SurveyResponse:
    row = SurveyResponse(
        public_id=f"r-{status}-{session.exec(select(func.count()).select_from(SurveyResponse)).one()}",
        idempotency_key=f"k-{uuid.uuid4().hex}",
        campaign_id=campaign.id or 0,
        instrument_version_id=campaign.survey_instrument_id,
        answers={},
        status=status,
    )
    session.add(row)
    session.commit()
    return row


def _audit_rows(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditLog)).one()


@pytest.mark.parametrize("kind", ["model", "draw", "lead"])
def test_transition_table_every_move(session: Session, kind: str) -> None:
    """Every (from, to) pair: a legal move writes one audit row, an illegal one is refused with none."""
    campaign, _ = make_campaign(session)
    for current, to in itertools.product(S, S):
        response = _response(session, campaign, current)
        before = _audit_rows(session)
        legal = status.can_move(current, to, kind)
        if legal:
            status.transition(
                session=session, response=response, to=to, actor="t", kind=kind, reason="checked by phone"
            )
            session.commit()
            assert response.status == to and _audit_rows(session) == before + 1, (current, to, kind)
            row = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
            assert row is not None and (row.old, row.new, row.subject) == (
                current,
                to,
                f"response:{response.public_id}",
            )
        else:
            with pytest.raises(status.IllegalTransition):
                status.transition(session=session, response=response, to=to, actor="t", kind=kind, reason="x")
            session.rollback()
            session.refresh(response)
            assert response.status == current and _audit_rows(session) == before, (current, to, kind)
    assert not audit.verify(session=session)


def test_decisions_that_change_the_count_need_a_reason_and_an_open_grade(session: Session) -> None:
    campaign, _ = make_campaign(session)
    response = _response(session, campaign, S.CALLBACK_DUE)
    with pytest.raises(Invalid):
        status.transition(session=session, response=response, to=S.EXCLUDED, actor="t", reason="  ")
    session.rollback()
    flagged = _response(session, campaign, S.RECEIVED)
    session.add(
        GradeSnapshot(
            campaign_id=campaign.id or 0, locked=True, scheme_key="k", scheme_definition={}, counted_ids=b"",
            counted_sha256="", result={},
        )
    )  # fmt: skip
    session.commit()
    before = _audit_rows(session)
    with pytest.raises(Locked):
        status.transition(session=session, response=response, to=S.EXCLUDED, actor="t", reason="denies")
    with pytest.raises(Locked):
        status.transition(session=session, response=flagged, to=S.FLAGGED, actor="model", kind="model")
    session.rollback()
    assert _audit_rows(session) == before, "a locked grade: nothing moves, the model's flags included"


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


def test_domain_errors_are_pages_or_json(client: TestClient, session: Session) -> None:
    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    page = client.get("/c/NOPE")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "未找到" in page.text
    data = client.get("/c/NOPE", headers={"Accept": "application/json"})
    assert data.status_code == 404
    assert data.json()["error"]["code"] == "campaign_not_found" and data.json()["error"]["status"] == 404


def test_a_submission_waiting_too_long_for_the_write_lock_is_told_to_try_again_and_lands_later(
    settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from survey_app import db as dbmod
    from tests.conftest import form_token, survey_path
    from tests.factories import full_answers

    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    monkeypatch.setattr(dbmod, "WRITER_WAIT_S", 0.3)
    other = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
        other.execute("BEGIN IMMEDIATE")  # another process (a command, the worker) is writing
        busy = client.post(path, data=data)
        assert busy.status_code == 503
        assert "请稍等片刻再提交" in busy.text
        other.execute("ROLLBACK")
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
        assert client.post(path, data=data).status_code == 303, "the same answers land once the lock is free"
    other.close()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1


def test_a_pooled_postgres_connection_dropped_while_idle_is_replaced_not_an_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey_app import db as dbmod

    engine = make_engine(pg_url)
    with unit_of_work(engine, write=False) as s:
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = make_engine(pg_url)
    with killer.begin() as conn:  # the server restarted, or a proxy dropped the idle connection
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()
    monkeypatch.setattr(dbmod, "PING_AFTER_S", 0.0)
    with unit_of_work(engine, write=False) as s:
        again = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert again != pid, "a fresh connection, and no error for the request"
    monkeypatch.setattr(dbmod, "PING_AFTER_S", 3600.0)
    with unit_of_work(engine, write=False) as s:  # in constant use: no ping, the same connection
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == again
    engine.dispose()
