"""The public certificate page: tier, radar, number, scope and status, links from the base URL."""

from __future__ import annotations

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import AuditLog, GradeSnapshot
from survey_app.services.grades import locks
from survey_app.settings import Settings
from tests.factories import (
    add_member,
    csrf_of,
    login,
    make_user,
    seed_graded_demo,
)


def test_8_certificate_links_ignore_the_host_header(
    client: TestClient, session: Session, settings: Settings
) -> None:
    from survey_app.services.grades import locks
    from tests.factories import seed_graded_demo

    campaign, _locations = seed_graded_demo(session)
    snapshot = locks.lock(session=session, campaign=campaign, actor="t")
    session.commit()
    page = client.get(f"/cert/{snapshot.certificate_token}", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "evil.example" not in page.text
    import segno

    expected = segno.make(f"{settings.base_url}/cert/{snapshot.certificate_token}", error="m").svg_inline(
        scale=4, border=2, omitsize=True
    )
    assert expected in page.text, "the QR code encodes MINGCHA_BASE_URL"


def test_certificate_status_number_and_scope(client: TestClient, session: Session) -> None:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    snapshot = locks.lock(session=session, campaign=campaign, actor="lead1")
    session.commit()
    public = client.get(f"/cert/{snapshot.certificate_token}").text
    assert snapshot.certificate_number.startswith("MC") and snapshot.certificate_number in public
    assert "方圆标志认证集团" in public and "地下车库" in public and "有效" in public and "有效期至" in public
    assert "锁定的评定结果" in public, "it says it shows the locked grade"
    login(client, "lead1")
    form = {"_csrf": csrf_of(client), "decision": "suspend", "reason": "监督审核发现重大不符合项"}
    assert client.post("/c/WYW1-2026/decision", data=form).status_code == 403, "leads do not decide"
    make_user(session, "reviewer1", ["reviewer"])
    session.commit()
    reviewer = TestClient(client.app, follow_redirects=False)
    login(reviewer, "reviewer1")
    bad = reviewer.post("/c/WYW1-2026/decision", data={"_csrf": csrf_of(reviewer), "decision": "gone"})
    assert bad.status_code == 422 and "请选择给出的决定之一" in bad.text
    form = {"_csrf": csrf_of(reviewer), "decision": "suspend", "reasons": "监督审核发现重大不符合项"}
    assert reviewer.post("/c/WYW1-2026/decision", data=form).status_code == 303
    public = TestClient(client.app).get(f"/cert/{snapshot.certificate_token}").text
    assert "暂停" in public and "监督审核发现重大不符合项" in public
    session.expire_all()
    suspended = session.get(GradeSnapshot, snapshot.id)
    assert suspended is not None and suspended.certificate_status == "suspended"
    logged = session.exec(select(AuditLog).where(AuditLog.action == "certificate.status")).one()
    assert (logged.old, logged.new) == ("valid", "suspended")
