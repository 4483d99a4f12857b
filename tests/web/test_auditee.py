"""Issue 27: the audited organisation as a user. Invited per campaign by its lead auditor, it sees its own
findings and nothing of the survey, submits each correction with evidence, and is reminded of what is due."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import AuditLog, Campaign, Finding, FindingFile, FindingState, Visit
from survey_app.services.demo.findings import seed_findings_demo
from survey_app.services.findings.register import FINISHED
from tests.factories import csrf_of, login

PAGES_AUDITEES_NEVER_SEE = (
    "/c/{code}",
    "/c/{code}/review",
    "/c/{code}/report",
    "/c/{code}/report/analysis",
    "/c/{code}/visits",
    "/c/{code}/findings",
    "/c/{code}/locations",
    "/c/{code}/audit",
    "/campaigns",
    "/f",
    "/decisions",
    "/users/{name}/tokens",
    "/api/v1/campaigns/{code}/responses",
)


def _invite(client: TestClient, code: str, username: str = "wyw-pm") -> str:
    form = {"_csrf": csrf_of(client), "username": username, "display_name": "联发物业 张经理", "email": ""}
    page = client.post(f"/c/{code}/findings/invite", data=form)
    assert page.status_code == 200, page.text
    found = re.search(r"临时密码（只显示这一次，首次登录时须修改）：(\S+?)<", page.text)
    assert found, "the temporary password is shown once to the lead"
    return found.group(1)


def _auditee(client: TestClient, code: str, password: str) -> TestClient:
    """The organisation's contact logged in, with their own password chosen."""
    other = TestClient(client.app, follow_redirects=False)
    answer = login(other, "wyw-pm", password)
    assert answer.status_code == 303
    form = {"_csrf": csrf_of(other, "/users/wyw-pm/password"), "current": password}
    form |= {"new": "联发物业整改2026", "repeat": "联发物业整改2026"}
    assert other.post("/users/wyw-pm/password", data=form).status_code == 303
    assert login(other, "wyw-pm", "联发物业整改2026").headers["location"] == "/a", "the organisation's home"
    return other


def test_the_organisation_sees_its_findings_and_none_of_the_results(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    seed_findings_demo(session=session, campaign=desk)
    session.commit()
    password = _invite(client, desk.code)
    again = client.post(
        f"/c/{desk.code}/findings/invite", data={"_csrf": csrf_of(client), "username": "lead1"}
    )
    assert again.status_code == 409 and "该账号属于审核员或评定人员" in again.text, (
        "an auditor is not an auditee"
    )
    org = _auditee(client, desk.code, password)
    home = org.get("/a")
    assert home.status_code == 200 and "我方审核发现" in home.text
    assert "消防通道" not in home.text, "a closed finding is no longer due"
    assert "公告栏" in home.text and "照明不足" in home.text, "what is open or returned is listed"
    for template in PAGES_AUDITEES_NEVER_SEE:
        path = template.format(code=desk.code, name="wyw-pm")
        answer = org.get(path, follow_redirects=False)
        assert answer.status_code in (401, 403, 404), f"{path}: {answer.status_code}"
    assert org.get("/a/NOPE-1/findings/1").status_code == 404


def test_the_organisation_submits_its_correction_with_evidence(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    seed_findings_demo(session=session, campaign=desk)
    session.commit()
    org = _auditee(client, desk.code, _invite(client, desk.code))
    waiting = session.exec(
        select(Finding).where(Finding.campaign_id == desk.id, Finding.state == FindingState.OPEN)
    ).first()
    assert waiting is not None
    url = f"/a/{desk.code}/findings/{waiting.number}"
    page = org.get(url)
    assert page.status_code == 200 and "提交整改" in page.text
    empty = org.post(url, data={"_csrf": csrf_of(org), "root_cause": " ", "correction": "已加装照明"})
    assert empty.status_code == 422 and "请填写根本原因、纠正和纠正措施" in empty.text
    assert "已加装照明" in empty.text, "what was typed is kept"
    session.expire_all()
    untouched = session.get(Finding, waiting.id)
    assert untouched is not None and untouched.state == FindingState.OPEN
    big = org.post(
        f"{url}/files",
        data={"_csrf": csrf_of(org)},
        files={
            "file": ("big.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF", "application/pdf")
        },
    )
    assert big.status_code == 413
    fake = org.post(
        f"{url}/files", data={"_csrf": csrf_of(org)}, files={"file": ("x.pdf", b"hello", "text/plain")}
    )
    assert fake.status_code == 422 and "请附上照片" in fake.text
    assert session.exec(select(FindingFile)).all() == []
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 10)).save(photo, "JPEG")
    ok = org.post(
        f"{url}/files",
        data={"_csrf": csrf_of(org)},
        files={"file": ("灯.jpg", photo.getvalue(), "image/jpeg")},
    )
    assert ok.status_code == 303
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert (
        org.post(
            f"{url}/files", data={"_csrf": csrf_of(org)}, files={"file": ("报告.pdf", pdf, "application/pdf")}
        ).status_code
        == 303
    )
    form = {
        "_csrf": csrf_of(org),
        "root_cause": "照明回路老化",
        "correction": "已加装照明",
        "corrective_action": "每月巡检",
    }
    assert org.post(url, data=form).status_code == 303
    session.expire_all()
    done = session.get(Finding, waiting.id)
    assert done is not None and done.state == FindingState.SUBMITTED and done.root_cause == "照明回路老化"
    kinds = [r.action for r in session.exec(select(AuditLog).where(AuditLog.actor == "wyw-pm"))]
    assert kinds.count("finding.attach") == 2 and "finding.move" in kinds
    lead_view = client.get(f"/c/{desk.code}/findings/{waiting.number}")
    assert "受审核方提交的证据" in lead_view.text and "灯.jpg" in lead_view.text
    stored = session.exec(select(FindingFile).where(FindingFile.media_type == "image/jpeg")).one()
    image = client.get(f"/c/{desk.code}/findings/{waiting.number}/files/{stored.id}")
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/jpeg")
    assert not Image.open(io.BytesIO(image.content)).getexif(), "no metadata leaves with the photo"


def test_follow_up_visits_carry_over_and_exports(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    from survey_app.models import User
    from survey_app.services.campaigns.instruments import register_bundled
    from survey_app.services.campaigns.lifecycle import CampaignFields, copy_as_next_cycle
    from tests.factories import add_member, make_user

    seed_findings_demo(session=session, campaign=desk)
    field = make_user(session, "field1", ["field"])
    add_member(session=session, campaign_id=desk.id, user_id=field.id, role="field")
    session.commit()
    waiting = session.exec(
        select(Finding).where(Finding.campaign_id == desk.id, Finding.state == FindingState.OPEN)
    ).first()
    assert waiting is not None
    page = client.get(f"/c/{desk.code}/visits?finding={waiting.number}")
    assert "验证审核发现（跟踪走访）" in page.text and f'value="{waiting.number}" selected' in page.text
    start = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    sheet = register_bundled(session=session)["property-open-evaluation"]
    form = {"_csrf": csrf_of(client), "mode": "open", "instrument": str(sheet), "window_start": start}
    form |= {"window_end": end, "auditors": str(field.id), "finding": "999"}
    assert client.post(f"/c/{desk.code}/visits", data=form).status_code == 422
    form["finding"] = str(waiting.number)
    assert client.post(f"/c/{desk.code}/visits", data=form).status_code == 303
    visit = session.exec(select(Visit).where(Visit.finding_id == waiting.id)).one()
    detail = client.get(f"/c/{desk.code}/findings/{waiting.number}")
    assert f"/c/{desk.code}/visits/{visit.id}" in detail.text, "the finding lists its follow-up visit"
    csv = client.post(f"/c/{desk.code}/export/findings.csv", data={"_csrf": csrf_of(client)})
    body = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and body.splitlines()[0].startswith("id,type,criterion_source")
    assert "公告栏" in body and "major" in body
    lead = session.exec(select(User).where(User.username == "lead1")).one()
    unfinished = session.exec(
        select(Finding).where(Finding.campaign_id == desk.id, col(Finding.state).not_in(list(FINISHED)))
    ).all()
    fields = CampaignFields(
        code="WYW1-2027",
        name_zh="2027",
        name_en="",
        organisation=desk.organisation,
        certification_body="",
        scheme_id=desk.scheme_id,
        survey_instrument_id=desk.survey_instrument_id,
        timezone=desk.timezone,
        starts_at=utcnow(),
        deadline=utcnow() + timedelta(days=30),
        callback_rate=0.1,
        sample_target=None,
    )
    nxt = copy_as_next_cycle(session=session, user=lead, source=desk, fields=fields)
    session.commit()
    carried = session.exec(select(Finding).where(Finding.campaign_id == nxt.id)).all()
    assert {f.carried_from for f in carried} == {f.id for f in unfinished}
    assert all(f.origin.startswith(f"cycle:{desk.code}/") for f in carried)
    report = client.get(f"/c/{nxt.code}/report")
    assert report.status_code == 200 and "由上一周期转入的审核发现" in report.text
