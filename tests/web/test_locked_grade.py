"""A locked grade is the record: no entry point moves a response any more — not the review desk's decisions
and bulk decisions, not a callback draw (asked for on the page, from the command line, or run by the worker),
not the model's re-flagging when it scores again — and none of them writes an audit row. The model may still
store a score; it never changes what counts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from grading.codes import encode
from survey_app.cli.main import main
from survey_app.db import make_engine
from survey_app.models import AuditLog, Campaign, InstrumentVersion, Job, JobState, SurveyResponse, ident
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.grades import locks
from survey_app.services.jobs import requests
from survey_app.settings import Settings
from survey_app.worker import tasks
from tests.factories import add_member, csrf_of, login, make_user, seed_graded_demo


def _statuses(session: Session, campaign: Campaign) -> dict[int, str]:
    session.expire_all()
    query = select(SurveyResponse.id, SurveyResponse.status).where(SurveyResponse.campaign_id == campaign.id)
    return {int(rid or 0): str(found) for rid, found in session.exec(query)}


def _audit_rows(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditLog)).one())


@pytest.fixture
def locked(session: Session, client: TestClient) -> Campaign:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead-locked", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    locks.lock(session=session, campaign=campaign, actor="t")
    session.commit()
    login(client, "lead-locked")
    return campaign


def test_no_entry_point_moves_a_response_of_a_locked_grade(
    client: TestClient,
    session: Session,
    settings: Settings,
    locked: Campaign,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before, rows = _statuses(session, locked), _audit_rows(session)
    flagged = session.exec(
        select(SurveyResponse).where(
            SurveyResponse.campaign_id == locked.id, SurveyResponse.status == "flagged"
        )
    ).first()
    assert flagged is not None and len(before) > 300
    token = csrf_of(client)
    code = locked.code

    # the review desk: one decision, a bulk decision, a draw
    for decision in ("count", "exclude", "pending"):
        answer = client.post(
            f"/c/{code}/r/{flagged.public_id}/decide",
            data={"_csrf": token, "decision": decision, "reason": "回访确认"},
        )
        assert answer.status_code == 409 and "评定结果已锁定" in answer.text, decision
    bulk = {
        "_csrf": token,
        "decision": "exclude",
        "reason": "批量排除",
        "status": "flagged",
        "confirm": "yes",
    }
    assert client.post(f"/c/{code}/review/bulk", data=bulk).status_code == 409
    assert client.post(f"/c/{code}/review/draw", data={"_csrf": token}).status_code == 409

    # the command line: a draw, and a full rescore of the model
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["draw-callbacks", "--campaign", code, "--seed", "7"]) == 2
    assert "locked" in capsys.readouterr().err
    assert main(["rescore", "--campaign", code]) == 0

    # the worker: a draw job asked for before the lock took effect, and a new response scored later
    job = requests.ask(
        session=session, campaign=locked, kind="draw", params={"seed": "3"}, actor="t", locale="zh_CN"
    )
    session.commit()
    engine = make_engine(settings.database_url)
    assert tasks.run_job(engine, settings, ident(job)) == JobState.FAILED
    session.expire_all()
    failed = session.get(Job, job.id)
    assert failed is not None and failed.message == "grade_locked"
    version = session.get(InstrumentVersion, locked.survey_instrument_id)
    straight = {item.id: 5 for item in materialise(version).likert_items()}
    late = SurveyResponse(
        public_id="LAT-E01",
        idempotency_key="late-1",
        campaign_id=ident(locked),
        instrument_version_id=locked.survey_instrument_id,
        answers=straight,
        answer_codes=encode(materialise(version), straight),
        client_id="late-phone",
    )
    session.add(late)
    session.commit()
    assert tasks.score_waiting(engine, ident(locked)) >= 1
    engine.dispose()

    after = _statuses(session, locked)
    assert after.pop(ident(late)) == "received", "scored, but never flagged on a locked grade"
    assert after == before, "nothing moved"
    session.expire_all()
    scored = session.get(SurveyResponse, late.id)
    assert scored is not None and scored.fraud_score is not None, "the model still stores its score"
    assert _audit_rows(session) == rows, "and no audit row was written"
    snapshot = locks.latest_snapshot(session=session, campaign_id=locked.id)
    assert snapshot is not None
    moves = select(AuditLog).where(AuditLog.campaign_id == locked.id, col(AuditLog.action).like("response.%"))
    assert all(row.at <= snapshot.created_at for row in session.exec(moves)), "no move after the lock"
