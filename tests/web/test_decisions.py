"""Issue 27: the certification decision. A reviewer who is not on the audit team decides on the basis of the
locked grade and the open findings; the certificate's status and its public page follow; the decision letter
is a PDF made by the job worker."""

from __future__ import annotations

import re

import httpx2
import pypdfium2 as pdfium
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.models import AuditLog, CertificationDecision, Finding, FindingState, GradeSnapshot, Job
from survey_app.services.findings import register
from survey_app.services.findings.register import FindingInput
from survey_app.services.grades import locks
from tests.factories import add_member, csrf_of, login, make_user, seed_graded_demo


def _locked(session: Session) -> tuple[str, GradeSnapshot]:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    make_user(session, "reviewer1", ["reviewer"])
    snapshot = locks.lock(session=session, campaign=campaign, actor="lead1")
    session.commit()
    return campaign.code, snapshot


def _decide(client: TestClient, code: str, decision: str, reasons: str) -> httpx2.Response:
    form = {"_csrf": csrf_of(client), "decision": decision, "reasons": reasons}
    return client.post(f"/c/{code}/decision", data=form)


def test_a_reviewer_grants_and_the_letter_is_a_pdf_in_chinese(client: TestClient, session: Session) -> None:
    code, snapshot = _locked(session)
    assert login(client, "reviewer1").headers["location"] == "/decisions", "a reviewer lands on decisions"
    home = client.get("/decisions")
    assert home.status_code == 200 and "待决定" in home.text
    page = client.get(f"/c/{code}/decision")
    assert page.status_code == 200 and "决定依据" in page.text and "取自已签名的快照" in page.text
    assert 'value="grant"' in page.text and 'value="maintain"' not in page.text
    answer = client.post(f"/c/{code}/decision", data={"_csrf": csrf_of(client), "decision": "grant"})
    assert answer.status_code == 422 and "请写明作出决定的理由" in answer.text
    assert session.exec(select(CertificationDecision)).all() == []
    answer = _decide(client, code, "grant", "评定结果四星级，无未关闭的严重不符合项。")
    assert answer.status_code == 303
    row = session.exec(select(CertificationDecision)).one()
    assert (row.decision, row.decided_by, row.snapshot_sha256) == (
        "grant",
        "reviewer1",
        snapshot.snapshot_sha256,
    )
    logged = session.exec(select(AuditLog).where(AuditLog.action == "decision.record")).one()
    assert logged.new == "grant" and logged.actor == "reviewer1"
    job = session.exec(select(Job).where(Job.kind == "letter")).one()
    assert job.state == "done"
    letter = client.get(f"/c/{code}/decision/{row.id}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(letter.content)
    text = re.sub(r"\s+", "", "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    assert "认证决定" in text and "颁发证书" in text and "评定结果四星级" in text and row.number in text
    assert snapshot.certificate_number in text
    again = client.get(f"/c/{code}/decision")
    assert "认证决定书（PDF）" in again.text and 'value="grant"' not in again.text, "granted once"


def test_the_audit_team_may_not_decide(client: TestClient, session: Session) -> None:
    code, _snapshot = _locked(session)
    campaign_id = session.exec(select(GradeSnapshot)).one().campaign_id
    both = make_user(session, "both", ["lead", "reviewer"])
    add_member(session=session, campaign_id=campaign_id, user_id=both.id, role="lead")
    session.commit()
    login(client, "lead1")
    assert _decide(client, code, "grant", "我是组长").status_code == 403
    both_client = TestClient(client.app)
    login(both_client, "both")
    page = both_client.get(f"/c/{code}/decision")
    assert "您是本项目审核组成员" in page.text and 'name="decision"' not in page.text
    refused = _decide(both_client, code, "grant", "我也是评定人员")
    assert refused.status_code == 403 and "不能对其作出认证决定。未记录任何内容" in refused.text
    assert session.exec(select(CertificationDecision)).all() == []
    assert session.exec(select(AuditLog).where(AuditLog.action == "decision.record")).all() == []


def test_an_open_major_blocks_grant_and_suspension_reaches_the_public_page(
    client: TestClient, session: Session
) -> None:
    code, snapshot = _locked(session)
    campaign_id = snapshot.campaign_id
    from survey_app.models import Campaign

    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    major = register.raise_finding(
        session=session,
        campaign=campaign,
        data=FindingInput("major", "service_characteristic", "消防通道堵塞"),
        actor="lead1",
    )
    session.commit()
    login(client, "reviewer1")
    blocked = _decide(client, code, "grant", "想颁发")
    assert blocked.status_code == 409 and "存在未关闭的严重不符合项" in blocked.text
    suspended = _decide(client, code, "suspend", "严重不符合项未整改")
    assert suspended.status_code == 303
    public = TestClient(client.app).get(f"/cert/{snapshot.certificate_token}")
    assert "暂停" in public.text and "严重不符合项未整改" in public.text
    restore = _decide(client, code, "restore", "已整改")
    assert restore.status_code == 409, "restoring waits for the major finding"
    register.move(
        session=session, finding=major, name="equivalent", fields={"note": "已设专人值守"}, actor="lead1"
    )
    session.commit()
    assert _decide(client, code, "restore", "已整改并验证").status_code == 303
    session.expire_all()
    restored = session.get(GradeSnapshot, snapshot.id)
    assert restored is not None and restored.certificate_status == "valid"
    kinds = [
        d.decision
        for d in session.exec(select(CertificationDecision).order_by(col(CertificationDecision.id)))
    ]
    assert kinds == ["suspend", "restore"]
    assert session.exec(select(Finding)).one().state == FindingState.EQUIVALENT
