"""Closing early and reopening, certificate status, accounts managed in the app, receipts people can read."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.clock import utcnow
from survey_app.models import AuditLog, Campaign, GradeSnapshot, User
from survey_app.services.grades import locks
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path
from tests.factories import (
    PASSWORD,
    add_member,
    csrf_of,
    full_answers,
    login,
    make_campaign,
    make_user,
    seed_graded_demo,
)


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


def test_receipt_is_short_and_found_in_any_case(client: TestClient, session: Session) -> None:
    campaign, locations = make_campaign(session, code="RC-1")
    path = survey_path(locations[0])
    data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
    done = client.post(path, data=data, follow_redirects=False)
    receipt = done.headers["location"].rsplit("/", 1)[-1]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", receipt)
    assert client.get(f"{path}/thanks/{receipt.lower().replace('-', '')}").status_code == 200


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
    bad = client.post("/c/WYW1-2026/report/certificate", data={"_csrf": csrf_of(client), "status": "gone"})
    assert bad.status_code == 422
    form = {"_csrf": csrf_of(client), "status": "suspended", "reason": "监督审核发现重大不符合项"}
    assert client.post("/c/WYW1-2026/report/certificate", data=form).status_code == 303
    public = TestClient(client.app).get(f"/cert/{snapshot.certificate_token}").text
    assert "暂停" in public and "监督审核发现重大不符合项" in public
    session.expire_all()
    assert session.get(GradeSnapshot, snapshot.id).certificate_status == "suspended"  # type: ignore[union-attr]
    logged = session.exec(select(AuditLog).where(AuditLog.action == "certificate.status")).one()
    assert (logged.old, logged.new) == ("valid", "suspended")


def test_accounts_in_the_app(client: TestClient, session: Session, settings: Settings) -> None:
    make_user(session, "boss", ["admin"])
    login(client, "boss")
    added = client.post(
        "/users",
        data={"_csrf": csrf_of(client), "username": "li", "display_name": "李查", "roles": ["field"]},
    )
    temporary = re.search(r'id="temporary-password">([^<]+)<', added.text)
    assert added.status_code == 200 and temporary
    with TestClient(create_app(settings), follow_redirects=False) as li:
        assert login(li, "li", temporary.group(1)).status_code == 303
        forced = li.get("/campaigns")
        assert forced.status_code == 303 and forced.headers["location"] == "/users/li/password"
        token = csrf_of(li, "/users/li/password")
        wrong = li.post(
            "/users/li/password", data={"_csrf": token, "current": "x", "new": "a" * 12, "repeat": "a" * 12}
        )
        assert wrong.status_code == 422
        form = {
            "_csrf": token,
            "current": temporary.group(1),
            "new": "new-pass-12345",
            "repeat": "new-pass-12345",
        }
        assert li.post("/users/li/password", data=form).status_code == 303
        assert login(li, "li", "new-pass-12345").status_code == 303
        assert li.get("/campaigns").status_code == 200, "free to go on"
    roles = client.post("/users/li/roles", data={"_csrf": csrf_of(client), "roles": ["field", "lead"]})
    assert roles.status_code == 303
    reset = client.post("/users/li/reset", data={"_csrf": csrf_of(client)})
    assert reset.status_code == 200 and re.search(r'id="temporary-password">', reset.text)
    off = client.post("/users/li/active", data={"_csrf": csrf_of(client), "active": "no"})
    assert off.status_code == 303
    session.expire_all()
    li_user = session.exec(select(User).where(User.username == "li")).one()
    assert li_user.roles == ["field", "lead"] and not li_user.active and li_user.must_change_password
    with TestClient(create_app(settings), follow_redirects=False) as li:
        assert login(li, "li", "new-pass-12345").status_code == 401, "deactivated"
    self_off = client.post("/users/boss/active", data={"_csrf": csrf_of(client), "active": "no"})
    assert self_off.status_code == 422


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
    assert session.get(Campaign, campaign.id).status == "open"  # type: ignore[union-attr]
    assert locations[0].token_nonce == before
    assert PASSWORD


def test_demo_responses_fall_inside_their_campaign_window(session: Session) -> None:
    from survey_app.models import SurveyResponse

    campaign, _locations = seed_graded_demo(session)
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).all()
    assert len(rows) > 300
    assert all(campaign.starts_at <= r.submitted_at <= campaign.deadline for r in rows)
    assert all(r.started_at is None or r.started_at <= r.submitted_at for r in rows)
    assert all(re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", r.public_id) for r in rows), "readable receipts"


def test_a_poster_code_collision_draws_again(session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import survey_app.short_codes as codes

    campaign, locations = make_campaign(session, code="PC-1", locations=1)
    taken = locations[0].short_code
    draws = iter([taken, "ABCDEF"])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    from survey_app.models import Location

    fresh = Location(
        campaign_id=campaign.id or 0, code="L02", name="二号", token_nonce="n" * 12, short_code=taken
    )
    session.add(fresh)
    session.commit()
    assert fresh.short_code == "ABCDEF" and locations[0].short_code == taken
