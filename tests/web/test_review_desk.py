"""The review desk: queue, detail, contact reveal, callbacks, decisions, summary, labels, grade follows."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from openpyxl import load_workbook
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from fraud.cli import main as fraud_main
from survey_app.app import create_app
from survey_app.cli.main import main
from survey_app.models import AuditLog, CallbackPick, Campaign, ResponseStatus, SurveyResponse
from survey_app.services.grades import grading, locks
from survey_app.services.review.contacts import ContactCipher, DataKeyError
from survey_app.settings import Settings, SettingsError
from tests.factories import csrf_of

S = ResponseStatus


def _audit_count(session: Session, action: str) -> int:
    return session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == action)).one()


def _picked(session: Session, campaign: Campaign, kind: str) -> list[SurveyResponse]:
    query = (
        select(SurveyResponse)
        .join(CallbackPick, col(CallbackPick.response_id) == SurveyResponse.id)
        .where(CallbackPick.kind == kind)
        .order_by(col(CallbackPick.rank))
    )
    return list(session.exec(query))


def test_queue_puts_the_sample_first_and_filters_in_sql(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    page = client.get("/c/WYW1-2026/review")
    assert page.status_code == 200 and page.headers["vary"].startswith("HX-Request")
    receipts = re.findall(r'/c/WYW1-2026/r/([A-Z0-9]{3}-[A-Z0-9]{3})"', page.text)
    decided = {S.VERIFIED, S.UNREACHABLE, S.REJECTED, S.EXCLUDED}
    flagged, random_picks = _picked(session, desk, "flagged"), _picked(session, desk, "random")
    waiting = [r.public_id for r in [*flagged, *random_picks] if r.status not in decided]
    assert waiting, "the demo leaves picks waiting for a call"
    assert receipts[: len(waiting)] == waiting[: len(receipts)], (
        "picks still waiting first (flagged, then random controls, in draw order); decided ones after"
    )
    total = session.exec(select(func.count()).select_from(SurveyResponse)).one()
    assert f"{total} 份答卷" in page.text and "第 1 页" in page.text
    only_random = client.get("/c/WYW1-2026/review?sample=random")
    random_ids = {r.public_id for r in _picked(session, desk, "random")}
    assert set(re.findall(r'/c/WYW1-2026/r/([A-Z0-9]{3}-[A-Z0-9]{3})"', only_random.text)) == random_ids
    timing = client.get("/c/WYW1-2026/review?family=timing&status=flagged", headers={"HX-Request": "true"})
    assert timing.text.lstrip().startswith('<section id="queue"'), "htmx gets the queue fragment only"
    for receipt in re.findall(r'/c/WYW1-2026/r/([A-Z0-9]{3}-[A-Z0-9]{3})"', timing.text):
        row = session.exec(select(SurveyResponse).where(SurveyResponse.public_id == receipt)).one()
        assert row.status == "flagged" and ",timing," in row.fraud_families
    page2 = client.get("/c/WYW1-2026/review?page=2&sort=score")
    assert "第 2 页" in page2.text
    assert client.get("/c/WYW1-2026/review?page=banana&status=nonsense").status_code == 200


def test_reveal_writes_exactly_one_audit_row_and_phones_never_leak(
    client: TestClient,
    session: Session,
    desk: Campaign,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = _picked(session, desk, "flagged")[0]
    phone = ContactCipher(settings.data_key).decrypt(target.contact_phone or "")
    detail = client.get(f"/c/WYW1-2026/r/{target.public_id}")
    assert detail.status_code == 200 and phone not in detail.text and "查看电话号码" in detail.text
    before = _audit_count(session, "contact.reveal")
    shown = client.post(f"/c/WYW1-2026/r/{target.public_id}/reveal", data={"_csrf": csrf_of(client)})
    assert shown.status_code == 200 and phone in shown.text
    assert _audit_count(session, "contact.reveal") == before + 1
    token = csrf_of(client)
    for name in ("responses.csv", "responses.jsonl", "results.csv"):
        body = client.post(f"/c/WYW1-2026/export/{name}", data={"_csrf": token}).content.decode("utf-8-sig")
        assert phone not in body and phone[-8:] not in body, name
    book = load_workbook(
        io.BytesIO(client.post("/c/WYW1-2026/export/responses.xlsx", data={"_csrf": token}).content)
    )
    cells = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    assert phone not in cells and (target.contact_phone or "") not in cells
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["export", "--campaign", "WYW1-2026", "--out", str(tmp_path)]) == 0
    assert phone not in (tmp_path / "responses.jsonl").read_text()


def test_excluding_and_reincluding_changes_the_count_the_grade_uses(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    counted = grading.compute(session=session, campaign=desk)[0].component("perception").n
    target = session.exec(select(SurveyResponse).where(SurveyResponse.status == "flagged")).first()
    assert target is not None
    url = f"/c/WYW1-2026/r/{target.public_id}/decide"
    refused = client.post(url, data={"_csrf": csrf_of(client), "decision": "exclude", "reason": " "})
    assert refused.status_code == 422 and "请写明理由" in refused.text
    session.refresh(target)
    assert target.status == "flagged"
    done = client.post(url, data={"_csrf": csrf_of(client), "decision": "exclude", "reason": "重复提交"})
    assert done.status_code == 303
    session.refresh(target)
    assert target.status == "excluded"
    after = grading.compute(session=session, campaign=desk)[0]
    assert (
        after.component("perception").n == counted - 1 and after.excluded["excluded by the lead auditor"] >= 1
    )
    report = client.get("/c/WYW1-2026/report").text
    assert "审核组长剔除" in report
    client.post(url, data={"_csrf": csrf_of(client), "decision": "reinclude", "reason": "误判：住户本人确认"})
    assert grading.compute(session=session, campaign=desk)[0].component("perception").n == counted
    history = client.get(f"/c/WYW1-2026/r/{target.public_id}").text
    assert "重复提交" in history and "误判：住户本人确认" in history
    assert client.post("/c/WYW1-2026/r/r-nope/decide", data={"_csrf": csrf_of(client)}).status_code == 404


def test_decisions_are_refused_once_the_grade_is_locked(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    locks.lock(session=session, campaign=desk, actor="t", no_certificate=True)
    session.commit()
    target = session.exec(select(SurveyResponse).where(SurveyResponse.status == "flagged")).first()
    assert target is not None
    before = session.exec(select(func.count()).select_from(AuditLog)).one()
    url = f"/c/WYW1-2026/r/{target.public_id}/decide"
    refused = client.post(url, data={"_csrf": csrf_of(client), "decision": "exclude", "reason": "代填"})
    assert refused.status_code == 409 and "已锁定" in refused.text
    session.refresh(target)
    assert (
        target.status == "flagged"
        and session.exec(select(func.count()).select_from(AuditLog)).one() == before
    )
    rejected = session.exec(select(SurveyResponse).where(SurveyResponse.status == "rejected")).first()
    assert rejected is not None
    keep = {"_csrf": csrf_of(client), "decision": "pending", "reason": "再打一次"}
    pending = client.post(f"/c/WYW1-2026/r/{rejected.public_id}/decide", data=keep)
    assert pending.status_code == 409 and "已锁定" in pending.text, (
        "keeping one pending is refused as locked too"
    )
    no_reason = client.post("/c/WYW1-2026/report/reopen", data={"_csrf": csrf_of(client), "reason": ""})
    assert no_reason.status_code == 422
    reopened = client.post(
        "/c/WYW1-2026/report/reopen", data={"_csrf": csrf_of(client), "reason": "回访发现代填"}
    )
    assert reopened.status_code == 303 and _audit_count(session, "grade.reopen") == 1
    assert (
        client.post(url, data={"_csrf": csrf_of(client), "decision": "exclude", "reason": "代填"}).status_code
        == 303
    )


def test_bulk_decision_asks_for_confirmation_first(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    data = {
        "_csrf": csrf_of(client),
        "sample": "outside",
        "status": "flagged",
        "decision": "pending",
        "reason": "批量待回访",
    }
    targets = session.exec(
        select(SurveyResponse).where(
            SurveyResponse.status == "flagged",
            col(SurveyResponse.id).not_in(select(CallbackPick.response_id)),
        )
    ).all()
    assert targets, "the demo has flagged responses outside the sample"
    ask = client.post("/c/WYW1-2026/review/bulk", data=data)
    assert ask.status_code == 200 and f"{len(targets)} 份答卷" in ask.text
    session.expire_all()
    assert all(
        found is not None and found.status == "flagged"
        for found in [session.get(SurveyResponse, t.id) for t in targets]
    )
    assert client.post("/c/WYW1-2026/review/bulk", data={**data, "confirm": "yes"}).status_code == 303
    session.expire_all()
    assert all(
        found is not None and found.status == "callback_due"
        for found in [session.get(SurveyResponse, t.id) for t in targets]
    )


def test_calls_summary_labels_and_evaluate(
    client: TestClient,
    session: Session,
    desk: Campaign,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = _picked(session, desk, "flagged")[5]
    url = f"/c/WYW1-2026/r/{target.public_id}/callback"
    bad = client.post(url, data={"_csrf": csrf_of(client), "outcome": "maybe"})
    assert bad.status_code == 422
    ok = client.post(url, data={"_csrf": csrf_of(client), "outcome": "denies", "note": "机主说没填过"})
    assert ok.status_code == 303 and _audit_count(session, "callback.attempt") == 7
    page = client.get("/c/WYW1-2026/review").text
    assert re.search(r"已联系上</dt><dd>6<", page) and re.search(r"否认填写或回答不一致</dt><dd>3<", page)
    assert "95% 区间" in page
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["labels", "--campaign", "WYW1-2026", "--out", str(tmp_path / "labels.csv")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "labels.csv").read_text(encoding="utf-8"))))
    assert {r["source"] for r in rows} == {"callback"} and sum(r["label"] == "1" for r in rows) == 3
    assert any(r["id"] == target.public_id and r["label"] == "1" for r in rows)
    assert main(["export", "--campaign", "WYW1-2026", "--out", str(tmp_path)]) == 0
    scored = ["score", "--items", str(tmp_path / "items.json"), "--out", str(tmp_path / "scores.csv")]
    assert fraud_main([*scored, "--responses", str(tmp_path / "responses.jsonl")]) == 0
    code = fraud_main(
        ["evaluate", "--scores", str(tmp_path / "scores.csv"), "--labels", str(tmp_path / "labels.csv")]
    )
    assert code == 0
    assert (
        fraud_main(
            ["evaluate", "--scores", str(tmp_path / "labels.csv"), "--labels", str(tmp_path / "labels.csv")]
        )
        == 2
    )


def test_a_wrong_or_missing_data_key_is_a_clear_error(
    settings: Settings, session: Session, desk: Campaign
) -> None:
    other = replace(
        settings,
        data_key=Fernet.generate_key().decode(),
    )
    with pytest.raises(DataKeyError, match="cannot decrypt"):
        with TestClient(create_app(other)):
            pass
    with pytest.raises(SettingsError, match="MINGCHA_DATA_KEY"):
        Settings.from_env({"MINGCHA_ENV": "production", "MINGCHA_SECRET_KEY": "x" * 40})
    with pytest.raises(SettingsError, match="not a valid Fernet key"):
        Settings.from_env({"MINGCHA_SECRET_KEY": "x" * 40, "MINGCHA_DATA_KEY": "plain-text-is-not-a-key"})


def test_rotate_and_purge_contacts(
    settings: Settings,
    session: Session,
    desk: Campaign,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cryptography.fernet import Fernet

    with_phone = session.exec(
        select(SurveyResponse).where(col(SurveyResponse.contact_phone).is_not(None))
    ).all()
    old_tokens = {r.id: r.contact_phone for r in with_phone}
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("MINGCHA_DATA_KEY", f"{new_key},{settings.data_key}")
    assert main(["rotate-data-key"]) == 0
    session.expire_all()
    new_only = ContactCipher(new_key)
    for r in session.exec(select(SurveyResponse).where(col(SurveyResponse.contact_phone).is_not(None))):
        assert r.contact_phone != old_tokens[r.id]
        assert new_only.decrypt(r.contact_phone or "").startswith("139")
    assert main(["purge-contacts", "--retention-days", "0"]) == 0
    assert "purged 0" in capsys.readouterr().out, "nothing is purged before the grade is locked"
    locks.lock(session=session, campaign=desk, actor="t", no_certificate=True)
    session.commit()
    assert main(["purge-contacts", "--retention-days", "0"]) == 0
    assert f"purged {len(with_phone)}" in capsys.readouterr().out
    session.expire_all()
    assert (
        session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(col(SurveyResponse.contact_phone).is_not(None))
        ).one()
        == 0
    )
    assert _audit_count(session, "contacts.purge") == 1


def test_enough_labels_are_learnt_from_at_rescore(
    session: Session, desk: Campaign, settings: Settings
) -> None:
    from survey_app.services.review import callbacks
    from survey_app.services.scoring.verdicts import rescore_campaign

    rows = session.exec(select(SurveyResponse).order_by(col(SurveyResponse.fraud_score).desc())).all()
    for n, response in enumerate(rows[:40]):
        outcome = "denies" if n % 2 == 0 else "confirmed"
        callbacks.record_attempt(session=session, response=response, outcome=outcome, note="", actor="t")
    rescore_campaign(session=session, campaign=desk)
    session.commit()
    row = session.exec(select(AuditLog).where(AuditLog.action == "fraud.labels")).one()
    assert row.detail["labels"] >= 40 and row.detail["fakes"] >= 20 and "used" in row.detail
    assert json.dumps(row.detail)
