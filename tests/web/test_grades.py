"""Grading in the app: report, exclusions, lock and recompute, cycle change, exports, certificate, CLI."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.cli.main import main
from survey_app.models import Campaign, GradeSnapshot, SurveyResponse, ident
from survey_app.services.grades import cycles, grading, locks
from survey_app.settings import Settings
from tests.factories import add_member, csrf_of, login, make_user, seed_graded_demo


@pytest.fixture
def demo(session: Session, client: TestClient) -> Campaign:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    return campaign


def test_report_page_shows_grade_radar_items_and_adequacy(client: TestClient, demo: Campaign) -> None:
    page = client.get("/c/WYW1-2026/report")
    assert page.status_code == 200
    for text in ("通过认证", "四星级", "综合得分", "95% 置信区间", "样本量是否充足", "q21", "<svg"):
        assert text in page.text, text
    assert page.text.count("<line") == 7, (
        "one radar spoke per dimension (6 shared by residents and auditors, 1)"
    )
    assert "审核员" in page.text, "the survey's and the auditors' score side by side (L443)"


def test_excluding_a_response_changes_the_grade_and_the_excluded_count(
    session: Session, demo: Campaign
) -> None:
    before, _ = grading.compute(session=session, campaign=demo)
    happiest = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == demo.id)).all()
    best = max(happiest, key=lambda r: sum(v for v in r.answers.values() if isinstance(v, int)))
    best.status = "excluded"
    session.add(best)
    session.commit()
    after, _ = grading.compute(session=session, campaign=demo)
    assert after.excluded == {"excluded by the lead auditor": 1}
    assert after.component("perception").n == before.component("perception").n - 1
    assert after.total != before.total


def test_locked_grade_recomputes_identically_even_after_changes(session: Session, demo: Campaign) -> None:
    snapshot = locks.lock(session=session, campaign=demo, actor="t")
    session.commit()
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == demo.id)).all()
    for r in rows[:40]:
        r.status = "rejected"
        session.add(r)
    session.commit()
    assert grading.compute(session=session, campaign=demo)[0].to_dict() != snapshot.result
    assert locks.recompute(session=session, snapshot=snapshot) == snapshot.result
    assert snapshot.certificate_token and snapshot.valid_until is not None


def test_next_cycle_says_grade_unchanged(session: Session, demo: Campaign, client: TestClient) -> None:
    locks.lock(session=session, campaign=demo, actor="t")
    session.commit()
    data = {
        "_csrf": csrf_of(client),
        "code": "WYW1-2027",
        "starts_at": "2027-07-01T09:00",
        "deadline": "2027-07-30T18:00",
    }
    assert client.post("/c/WYW1-2026/copy", data=data).status_code == 303
    nxt = session.exec(select(Campaign).where(Campaign.code == "WYW1-2027")).one()
    # the same residents answer again in the next cycle, at the same (copied) locations
    from survey_app.models import Location

    new_ids = {
        loc.code: loc.id for loc in session.exec(select(Location).where(Location.campaign_id == nxt.id))
    }
    old_codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == demo.id))
    }
    skip = {"id", "public_id", "idempotency_key", "campaign_id", "location_id"}
    for r in session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == demo.id)).all():
        copy = SurveyResponse(
            **r.model_dump(exclude=skip),
            public_id=r.public_id + "-2",
            idempotency_key=r.idempotency_key + "-2",
            campaign_id=ident(nxt),
            location_id=new_ids[old_codes[r.location_id]],
        )
        session.add(copy)
    from survey_app.models import Visit

    for v in session.exec(select(Visit).where(Visit.campaign_id == demo.id)).all():  # and the same sheets
        session.add(
            Visit(**v.model_dump(exclude={"id", "campaign_id", "location_id"}), campaign_id=ident(nxt))
        )
    session.commit()
    change = cycles.cycle_change(
        session=session, campaign=nxt, current=grading.compute(session=session, campaign=nxt)[0].to_dict()
    )
    assert change is not None and change["verdict"] == "unchanged"
    assert "评定等级不变" in client.get("/c/WYW1-2027/report").text


def test_exports_open_with_the_right_row_counts(client: TestClient, session: Session, demo: Campaign) -> None:
    token = csrf_of(client)
    n = len(session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == demo.id)).all())
    book = load_workbook(
        io.BytesIO(client.post("/c/WYW1-2026/export/responses.xlsx", data={"_csrf": token}).content)
    )
    assert book.active.max_row == n + 3, "three header rows: ids, zh labels, en labels"
    csv_text = client.post("/c/WYW1-2026/export/responses.csv", data={"_csrf": token}).content.decode(
        "utf-8-sig"
    )
    assert (
        len(csv_text.strip().splitlines()) == n + 3
        and "物业服务中心的工作人员接待我时热情、耐心。" in csv_text
    )
    assert "Staff at the property service centre" in csv_text
    lines = (
        client.post("/c/WYW1-2026/export/responses.jsonl", data={"_csrf": token}).text.strip().splitlines()
    )
    assert len(lines) == n and json.loads(lines[0])["answers"]
    results = load_workbook(
        io.BytesIO(client.post("/c/WYW1-2026/export/results.xlsx", data={"_csrf": token}).content)
    ).active
    assert results["A1"].value == "status" and results["B1"].value == "certified"
    assert "perception" in client.post("/c/WYW1-2026/export/results.csv", data={"_csrf": token}).text
    pdf = client.get("/c/WYW1-2026/report/analysis.pdf")
    assert pdf.content.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.content)) >= 2


def test_public_certificate_page_has_no_personal_data(
    client: TestClient, session: Session, demo: Campaign
) -> None:
    phone = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == demo.id)).first()
    assert phone is not None
    phone.contact_consent, phone.contact_phone, phone.comment = True, "13912345678", "我家住3号楼1802"
    session.add(phone)
    session.commit()
    snapshot = locks.lock(session=session, campaign=demo, actor="t")
    session.commit()
    anonymous = TestClient(client.app)
    page = anonymous.get(f"/cert/{snapshot.certificate_token}")
    assert page.status_code == 200 and "四星级" in page.text and "<svg" in page.text
    text = page.text.replace(snapshot.certificate_token or "", "")  # the random token may contain "c-"
    for secret in ("13912345678", "1802", phone.public_id, "c-"):
        assert secret not in text
    assert (
        anonymous.get(f"/cert/{snapshot.certificate_token}/qr.svg").headers["content-type"] == "image/svg+xml"
    )
    assert anonymous.get("/cert/not-a-real-certificate-token").status_code == 404
    assert "未找到认证结果" in anonymous.get("/cert/not-a-real-certificate-token").text


def test_grade_cli_json(
    settings: Settings, demo: Campaign, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["grade", "--campaign", "WYW1-2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "certified" and data["tier"] == "four_star"
    assert main(["grade", "--campaign", "WYW1-2026"]) == 0
    assert "perception:" in capsys.readouterr().out
    assert main(["grade", "--campaign", "NOPE"]) == 2


def test_lock_from_the_report_page(client: TestClient, session: Session, demo: Campaign) -> None:
    assert client.post("/c/WYW1-2026/report/lock", data={"_csrf": csrf_of(client)}).status_code == 303
    assert session.exec(select(GradeSnapshot)).first() is not None
    assert "公开的认证结果页面" in client.get("/c/WYW1-2026/report").text
