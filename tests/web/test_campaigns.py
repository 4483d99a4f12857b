"""Campaign set-up as a lead auditor: create (with bad input), import locations, rotate, copy, coverage."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx2
import pytest
from openpyxl import Workbook
from sqlalchemy import text
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.clock import utcnow
from survey_app.models import (
    AuditLog,
    Campaign,
    CampaignMember,
    GradeSnapshot,
    InstrumentVersion,
    Location,
    User,
)
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path
from tests.factories import (
    add_member,
    csrf_of,
    full_answers,
    login,
    make_campaign,
    make_user,
)


@pytest.fixture
def lead(client: TestClient, session: Session) -> User:
    user = make_user(session, "lead1", ["lead"])
    make_user(session, "field1", ["field"])
    login(client, "lead1")
    return user


def campaign_form(session: Session, **overrides: str) -> dict[str, str]:
    rows = register_bundled(session=session)
    session.commit()
    form = {
        "code": "HS-2027",
        "name_zh": "秋田布谷民宿 服务认证",
        "organisation": "秋田布谷民宿",
        "certification_body": "方圆标志认证集团",
        "scheme": "homestay",
        "instrument": str(rows["homestay-guest-survey"]),
        "starts_at": "2027-03-01T09:00",
        "deadline": "2027-03-31T18:00",
        "timezone": "Asia/Shanghai",
        "callback_rate": "10",
        "sample_target": "30",
    }
    form.update(overrides)
    return form


def test_create_campaign_and_become_its_lead(client: TestClient, session: Session, lead: User) -> None:
    client.get("/campaigns/new")  # registers the bundled schemes
    form = {**campaign_form(session), "_csrf": csrf_of(client)}
    field = session.exec(select(InstrumentVersion)).first()
    assert field is not None
    posted = client.post("/campaigns/new", data={**form, "field_auditors": "2"})
    assert posted.status_code == 303 and posted.headers["location"] == "/c/HS-2027"
    campaign = session.exec(select(Campaign).where(Campaign.code == "HS-2027")).one()
    assert campaign.deadline.hour == 10, "18:00 in Shanghai is stored as 10:00 UTC"
    roles = {(m.user_id, m.role) for m in session.exec(select(CampaignMember))}
    assert (lead.id, "lead") in roles and (2, "field") in roles
    page = client.get("/c/HS-2027")
    assert page.status_code == 200 and "2027-03-31 18:00" in page.text


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"deadline": "2027-02-01T09:00"}, "deadline", "截止时间必须晚于开始时间"),
        ({"scheme": "made-up"}, "scheme", "未知的认证方案"),
        ({"code": "a b"}, "code", "请使用 2–40 个字母"),
        ({"timezone": "Mars/Olympus"}, "timezone", "未知的时区"),
        ({"callback_rate": "150"}, "callback_rate", "0 到 100"),
        ({"name_zh": ""}, "name_zh", "必填"),
    ],
)
def test_bad_campaign_input(
    client: TestClient, session: Session, lead: User, override: dict[str, str], field: str, message: str
) -> None:
    client.get("/campaigns/new")
    page = client.post(
        "/campaigns/new", data={**campaign_form(session, **override), "_csrf": csrf_of(client)}
    )
    assert page.status_code == 422 and message in page.text and f'id="e-{field}"' in page.text
    assert session.exec(select(Campaign).where(Campaign.code == "HS-2027")).first() is None


def test_duplicate_campaign_code(client: TestClient, session: Session, lead: User) -> None:
    make_campaign(session, code="HS-2027")
    client.get("/campaigns/new")
    page = client.post("/campaigns/new", data={**campaign_form(session), "_csrf": csrf_of(client)})
    assert page.status_code == 422 and "此编号已被其他项目使用" in page.text


def owned(session: Session, lead: User) -> Campaign:
    from tests.factories import add_member

    campaign, _ = make_campaign(session, code="WY-1", locations=0)
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    return campaign


def upload(client: TestClient, name: str, data: bytes) -> httpx2.Response:
    return client.post(
        "/c/WY-1/locations/import",
        data={"_csrf": csrf_of(client)},
        files={"file": (name, data, "application/octet-stream")},
    )


CSV = (
    "编号,名称,楼栋,单元/楼层,目标样本量\n"
    "B01-U1,1号楼 1单元,1号楼,1单元,12\n"
    "B01-U2,1号楼 2单元,1号楼,2单元,12\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_csv_in_utf8_or_gbk(client: TestClient, session: Session, lead: User, encoding: str) -> None:
    owned(session, lead)
    page = upload(client, "locations.csv", CSV.encode(encoding))
    assert page.status_code == 200 and "已添加 2 个地点" in page.text
    names = sorted(loc.name for loc in session.exec(select(Location)))
    assert names == ["1号楼 1单元", "1号楼 2单元"]


def test_bad_rows_are_all_listed_and_nothing_is_imported(
    client: TestClient, session: Session, lead: User
) -> None:
    owned(session, lead)
    bad = "code,name,target\nB01,一号楼,10\nB01,重复,10\n,无编号,5\nB03,,x\n"
    page = upload(client, "bad.csv", bad.encode())
    assert page.status_code == 422 and "未导入任何数据" in page.text
    for message in (
        "第 3 行",
        "编号“B01”重复（首次出现在第 2 行）",
        "第 4 行",
        "第 5 行",
        "名称为空",
        "目标样本量“x”必须是整数",
    ):
        assert message in page.text, message
    assert session.exec(select(Location)).all() == []


def test_unknown_encoding_is_a_clear_error(client: TestClient, session: Session, lead: User) -> None:
    owned(session, lead)
    page = upload(client, "utf16.csv", CSV.encode("utf-16"))
    assert page.status_code == 422 and "既不是 UTF-8 也不是 GBK" in page.text


def test_xlsx_with_extra_sheets(client: TestClient, session: Session, lead: User) -> None:
    owned(session, lead)
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这张表是说明，不是地点"])
    sheet = book.create_sheet("地点")
    for row in (["code", "name", "target"], ["B01", "1号楼", 12], ["B02", "2号楼", None]):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    page = upload(client, "locations.xlsx", buf.getvalue())
    assert page.status_code == 200 and "已读取工作表“地点”，忽略了其他 1 个工作表" in page.text
    assert sorted((loc.code, loc.target) for loc in session.exec(select(Location))) == [
        ("B01", 12),
        ("B02", None),
    ]


def test_not_a_workbook(client: TestClient, session: Session, lead: User) -> None:
    owned(session, lead)
    assert upload(client, "fake.xlsx", b"not a zip").status_code == 422


def test_generator_and_duplicate_codes(client: TestClient, session: Session, lead: User) -> None:
    owned(session, lead)
    data = {"_csrf": csrf_of(client), "buildings": "15", "per_building": "16", "unit": "floor"}
    page = client.post("/c/WY-1/locations/generate", data=data)
    assert page.status_code == 200 and "已添加 240 个地点" in page.text
    again = client.post("/c/WY-1/locations/generate", data={**data, "_csrf": csrf_of(client)})
    assert again.status_code == 422 and "以下编号已存在" in again.text
    assert len(session.exec(select(Location)).all()) == 240


def test_rotated_token_says_replaced(client: TestClient, session: Session, lead: User) -> None:
    campaign = owned(session, lead)
    upload(client, "l.csv", CSV.encode())
    location = session.exec(select(Location).where(Location.code == "B01-U1")).one()
    old = survey_path(location)
    assert client.get(old).status_code == 200
    assert (
        client.post(
            f"/c/{campaign.code}/locations/B01-U1/rotate", data={"_csrf": csrf_of(client)}
        ).status_code
        == 303
    )
    session.refresh(location)
    replaced = client.get(old)
    assert (
        replaced.status_code == 410
        and "此二维码已更换" in replaced.text
        and "survey-form" not in replaced.text
    )
    assert client.get(survey_path(location)).status_code == 200


def test_copy_as_next_cycle(client: TestClient, session: Session, lead: User) -> None:
    campaign = owned(session, lead)
    upload(client, "l.csv", CSV.encode())
    data = {
        "_csrf": csrf_of(client),
        "code": "WY-2",
        "starts_at": "2027-07-01T09:00",
        "deadline": "2027-07-31T18:00",
    }
    assert client.post("/c/WY-1/copy", data=data).status_code == 303
    copy = session.exec(select(Campaign).where(Campaign.code == "WY-2")).one()
    assert copy.previous_campaign_id == campaign.id and copy.cycle == 1
    old = {
        loc.code: loc.token_nonce
        for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    new = {
        loc.code: loc.token_nonce
        for loc in session.exec(select(Location).where(Location.campaign_id == copy.id))
    }
    assert set(old) == set(new) and not set(old.values()) & set(new.values())
    assert "第 1 次监督评价" in client.get("/c/WY-2").text


def test_coverage_counts_a_new_response(client: TestClient, session: Session, lead: User) -> None:
    from tests.factories import add_member

    campaign, locations = make_campaign(session, code="CV-1")
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    fragment = client.get("/c/CV-1", headers={"HX-Request": "true"})
    assert (
        fragment.text.lstrip().startswith('<section id="coverage"') and 'data-count="L01">0<' in fragment.text
    )
    path = survey_path(locations[0])
    client.post(path, data={"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()})
    fragment = client.get("/c/CV-1", headers={"HX-Request": "true"})
    assert 'data-count="L01">1<' in fragment.text and "尚无答卷的地点：1 个" in fragment.text


def test_the_configured_time_zone_is_the_default_for_new_campaigns(
    settings: Settings, session: Session
) -> None:
    from dataclasses import replace

    from survey_app.app import create_app

    make_user(session, "lead9", ["lead"])
    berlin = replace(settings, default_timezone="Europe/Berlin")
    with TestClient(create_app(berlin), follow_redirects=False) as client:
        login(client, "lead9")
        page = client.get("/campaigns/new").text
    assert 'value="Europe/Berlin"' in page


def test_a_failure_half_way_through_creating_a_campaign_leaves_nothing(
    settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "lead1", ["lead"])
    field = make_user(session, "field1", ["field"])
    from survey_app.services.campaigns import lifecycle

    def boom(**_kwargs: object) -> None:
        raise RuntimeError("the disk filled up while assigning the team")

    monkeypatch.setattr(lifecycle, "assign_field_auditors", boom)
    instrument = session.execute(text("SELECT id FROM instrumentversion WHERE kind = 'survey'")).first()
    assert instrument is not None
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


def test_close_early_shows_the_closing_time_and_reopens_with_a_reason(
    client: TestClient, session: Session
) -> None:
    campaign, locations = make_campaign(session, code="CL-1")
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    confirm = client.get("/c/CL-1/close")
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.text, "asked first"
    assert client.post("/c/CL-1/close", data={"_csrf": csrf_of(client), "confirm": "yes"}).status_code == 303
    session.expire_all()
    closed = session.exec(select(Campaign).where(Campaign.code == "CL-1")).one()
    assert closed.closed_at is not None and closed.closed_by == "lead1"
    survey = client.get(survey_path(locations[0]))
    local = closed.closed_at.astimezone().strftime("%Y-%m-%d")
    assert survey.status_code == 410 and local[:4] in survey.text
    assert closed.deadline.strftime("%Y-%m-%d") not in survey.text, "the real closing day, not the deadline"
    assert "提前结束" in client.get("/c/CL-1").text
    no_reason = client.post("/c/CL-1/reopen", data={"_csrf": csrf_of(client), "reason": " "})
    assert no_reason.status_code == 422
    assert (
        client.post("/c/CL-1/reopen", data={"_csrf": csrf_of(client), "reason": "误操作"}).status_code == 303
    )
    assert client.get(survey_path(locations[0])).status_code == 200
    row = session.exec(select(AuditLog).where(AuditLog.action == "campaign.reopen")).one()
    assert row.reason == "误操作"


def test_a_copied_campaign_gets_its_own_name(client: TestClient, session: Session) -> None:
    campaign, _locations = make_campaign(session, code="CP-1")
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    start = (utcnow() + timedelta(days=300)).strftime("%Y-%m-%dT09:00")
    end = (utcnow() + timedelta(days=330)).strftime("%Y-%m-%dT18:00")
    form = {
        "_csrf": csrf_of(client),
        "code": "CP-2",
        "name_zh": "第一次监督评价",
        "starts_at": start,
        "deadline": end,
    }
    assert client.post("/c/CP-1/copy", data=form).status_code == 303
    copy = session.exec(select(Campaign).where(Campaign.code == "CP-2")).one()
    assert copy.name_zh == "第一次监督评价" and copy.previous_campaign_id == campaign.id


def test_the_confirmation_pages_act_only_through_their_buttons(client: TestClient, session: Session) -> None:
    campaign, locations = make_campaign(session, code="CF-1")
    make_user(session, "lead1", ["lead"])
    lead = session.exec(select(User).where(User.username == "lead1")).one()
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    before = locations[0].token_nonce
    for path in ("/c/CF-1/close", f"/c/CF-1/locations/{locations[0].code}/rotate", "/c/CF-1/report/lock"):
        page = client.get(path)
        assert page.status_code == 200 and f'action="{path}"' in page.text and "取消" in page.text
    session.expire_all()
    found = session.get(Campaign, campaign.id)
    assert found is not None and found.status == "open" and found.closed_at is None
    session.refresh(locations[0])
    assert locations[0].token_nonce == before
    assert session.exec(select(GradeSnapshot).where(GradeSnapshot.campaign_id == campaign.id)).first() is None
    acted = select(AuditLog).where(
        AuditLog.campaign_id == campaign.id,
        col(AuditLog.action).in_(["campaign.close", "location.rotate", "grade.lock"]),
    )
    assert session.exec(acted).first() is None, "a confirmation page asks; only its button acts"
    assert client.post("/c/CF-1/close", data={"_csrf": csrf_of(client)}).status_code == 303
    session.expire_all()
    assert session.exec(acted).one().action == "campaign.close", "and the button does act"
