"""Findings: raised by hand or from a visit's item, deadlines by type, every move through one door with its
audit row, overdue past the deadline, refusals on their form with nothing stored, and the read API."""

from __future__ import annotations

from datetime import timedelta

import httpx2
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import AuditLog, Finding
from survey_app.services.findings import register
from survey_app.settings import Settings
from tests.factories import csrf_of, logged_in_lead


def _raise(client: TestClient, **fields: str) -> httpx2.Response:
    data = {"_csrf": csrf_of(client), "type": "minor", "criterion_source": "service_characteristic"}
    return client.post("/c/F-1/findings", data={**data, **fields})


def _rows(session: Session, action: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.seq))))


def test_a_finding_moves_from_open_to_closed_with_an_audit_row_each(
    client: TestClient, session: Session
) -> None:
    campaign, _locations = logged_in_lead(client, session, code="F-1")
    made = _raise(
        client, description="3号楼消防通道堆放杂物", clause="安全管理 5.3", evidence="暗访第 2 号走访照片"
    )
    assert made.status_code == 303 and made.headers["location"] == "/c/F-1/findings/1"
    finding = session.exec(select(Finding)).one()
    assert finding.state == "open" and finding.deadline is not None
    assert timedelta(days=89) < finding.deadline - finding.raised_at <= timedelta(days=90), "minor: 90 days"
    token = csrf_of(client)
    steps = [
        (
            "submit",
            {
                "root_cause": "清洁外包未定期巡查",
                "correction": "已清理",
                "corrective_action": "每周巡查并记录",
            },
        ),
        ("return", {"note": "缺少巡查记录照片"}),
        (
            "submit",
            {
                "root_cause": "清洁外包未定期巡查",
                "correction": "已清理",
                "corrective_action": "每周巡查，附照片",
            },
        ),
        ("verify", {}),
        ("close", {}),
    ]
    for name, fields in steps:
        moved = client.post("/c/F-1/findings/1/move", data={"_csrf": token, "move": name, **fields})
        assert moved.status_code == 303, (name, moved.text[:300])
    session.expire_all()
    finding = session.exec(select(Finding)).one()
    assert finding.state == "closed" and "附照片" in finding.corrective_action
    moves = _rows(session, "finding.move")
    assert [(r.old, r.new) for r in moves] == [
        ("open", "action_submitted"),
        ("action_submitted", "returned"),
        ("returned", "action_submitted"),
        ("action_submitted", "verified"),
        ("verified", "closed"),
    ]
    assert moves[1].reason == "缺少巡查记录照片" and len(_rows(session, "finding.raise")) == 1
    page = client.get("/c/F-1/findings/1").text
    assert "已关闭" in page and "每周巡查，附照片" in page
    assert campaign.id is not None


def test_wrong_moves_and_bad_input_store_nothing(client: TestClient, session: Session) -> None:
    logged_in_lead(client, session, code="F-1")
    before = session.exec(select(func.count()).select_from(AuditLog)).one()
    past = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%d")
    bad = _raise(client, description="", deadline=past, type="nonsense", criterion_source="other")
    assert bad.status_code == 422
    text = bad.text
    for message in ("请选择这项发现的类型", "请说明要求的出处", "请描述发现的问题", "期限必须晚于今天"):
        assert message in text, message
    assert session.exec(select(func.count()).select_from(Finding)).one() == 0
    assert session.exec(select(func.count()).select_from(AuditLog)).one() == before
    assert _raise(client, description="公告栏信息过期").status_code == 303
    token = csrf_of(client)
    early = client.post("/c/F-1/findings/1/move", data={"_csrf": token, "move": "close"})
    assert early.status_code == 409 and "当前状态不能进行这一步" in early.text
    empty = client.post(
        "/c/F-1/findings/1/move",
        data={
            "_csrf": token,
            "move": "submit",
            "root_cause": "",
            "correction": "已更新",
            "corrective_action": "x",
        },
    )
    assert empty.status_code == 422 and "根本原因" in empty.text and "已更新" in empty.text, (
        "kept on the form"
    )
    session.expire_all()
    assert session.exec(select(Finding)).one().state == "open" and not _rows(session, "finding.move")


def test_an_equivalent_measure_and_overdue(client: TestClient, session: Session) -> None:
    campaign, _locations = logged_in_lead(client, session, code="F-1")
    _raise(client, description="未配备 AED", type="major")
    _raise(client, description="电梯维保记录不全")
    token = csrf_of(client)
    refused = client.post("/c/F-1/findings/1/move", data={"_csrf": token, "move": "equivalent", "note": ""})
    assert refused.status_code == 422
    done = client.post(
        "/c/F-1/findings/1/move", data={"_csrf": token, "move": "equivalent", "note": "配备经急救培训的员工"}
    )
    assert done.status_code == 303
    second = session.exec(select(Finding).where(Finding.number == 2)).one()
    assert not register.is_overdue(second)
    second.deadline = utcnow() - timedelta(days=1)
    session.add(second)
    session.commit()
    assert register.is_overdue(second)
    listing = client.get("/c/F-1/findings", params={"state": "overdue"}).text
    assert "电梯维保记录不全" in listing and "未配备 AED" not in listing and "已逾期" in listing
    api = client.get("/c/F-1/findings/1").text
    assert "以等效措施关闭" in api
    assert campaign.code == "F-1"


def test_a_visit_item_prefills_the_form(client: TestClient, session: Session) -> None:
    logged_in_lead(client, session, code="F-1")
    page = client.get(
        "/c/F-1/findings", params={"origin": "visit:3/e04", "description": "前台未主动问候", "type": "minor"}
    ).text
    assert 'name="origin" value="visit:3/e04"' in page and "前台未主动问候</textarea>" in page
    assert 'value="minor" checked' in page


def test_a_submitted_visit_offers_a_finding_with_its_photos(session: Session, settings: Settings) -> None:
    from tests.web.field_work import as_user, check_in_fill_and_submit, schedule, setup

    _campaign, _locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f1"]])
    check_in_fill_and_submit(as_user(settings, "f1"), visit, "2")
    detail = lead.get(f"/c/V-1/visits/{visit}").text
    link = detail.split('href="/c/V-1/findings?')[1].split('"')[0].replace("&amp;", "&")
    form = lead.get(f"/c/V-1/findings?{link}").text
    assert f'value="visit:{visit}/sheet:' in form and f"第 {visit} 号走访" in form


def test_the_demo_shows_every_state(session: Session) -> None:
    from survey_app.services.demo.estate import seed_demo
    from survey_app.services.demo.findings import seed_findings_demo

    campaign, _locations, _ = seed_demo(session=session)
    assert seed_findings_demo(session=session, campaign=campaign) == 7
    assert seed_findings_demo(session=session, campaign=campaign) == 0, "once"
    session.commit()
    rows = register.findings_of(session=session, campaign=campaign)
    assert {f.state for f in rows} == {s.value for s in register.S}
    assert sum(register.is_overdue(f) for f in rows) == 1
