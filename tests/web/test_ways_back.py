"""Refusals a person can recover from: the problem beside the form that caused it with their choices kept,
error pages with a way back and no codes, a box to type a poster's code, and the start page that fits the
role."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Sheet, Visit
from survey_app.settings import Settings
from tests.factories import csrf_of, login, make_campaign, make_user
from tests.web.field_work import as_user, check_in_fill_and_submit, schedule, setup


def test_the_two_raters_final_score_without_a_reason_comes_back_on_the_form(
    session: Session, settings: Settings
) -> None:
    _campaign, _locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f1"], users["f2"]])
    for name, value in (("f1", "4"), ("f2", "2")):
        check_in_fill_and_submit(as_user(settings, name), visit, value)
    detail = lead.get(f"/c/V-1/visits/{visit}").text
    names = sorted(set(re.findall(r'name="(a\.[a-z0-9_]+)"', detail)))
    assert names, "the two sheets differ"
    chosen = {name: "2" for name in names}
    refused = lead.post(
        f"/c/V-1/visits/{visit}/reconcile", data={"_csrf": csrf_of(lead), **chosen, "note": ""}
    )
    assert refused.status_code == 422
    assert 'id="reconcile-problem"' in refused.text and 'class="staffnav"' in refused.text
    for name in names:
        assert re.search(rf'name="{re.escape(name)}" value="2" checked', refused.text), "choices kept"
    assert "错误代码" not in refused.text
    session.expire_all()
    stored = session.get(Visit, visit)
    assert stored is not None and stored.status == "scheduled", "nothing recorded"
    kept = lead.post(
        f"/c/V-1/visits/{visit}/reconcile", data={"_csrf": csrf_of(lead), **chosen, "note": "讨论后一致"}
    )
    assert kept.status_code == 303
    assert len(session.exec(select(Sheet).where(Sheet.visit_id == visit)).all()) == 2


def test_error_pages_offer_a_way_back_and_no_code(client: TestClient, session: Session) -> None:
    missing = client.get("/no-such-page", headers={"Referer": "http://testserver/q"})
    assert missing.status_code == 404
    seen = re.sub(r"<!--.*?-->|<[^>]+>", " ", missing.text.split("<main", 1)[1])
    assert "错误代码" not in seen and "404" not in seen, "the status is in the response, not in the words"
    assert 'href="/q"' in missing.text and 'href="/"' in missing.text
    foreign = client.get("/no-such-page", headers={"Referer": "https://evil.example/phish"})
    assert "evil.example" not in foreign.text, "the way back never leads off the site"
    code = client.get("/q/ZZZ-ZZZ")
    assert code.status_code == 404 and 'name="code"' in code.text and 'value="ZZZ-ZZZ"' in code.text


def test_a_typed_poster_code_opens_its_survey(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session, code="Q-1")
    short = locations[0].short_code
    assert short
    home = client.get("/")
    assert 'action="/q"' in home.text and 'name="code"' in home.text
    typed = client.get("/q", params={"code": f" {short.lower().replace('-', '')} "})
    assert typed.status_code == 303
    opened = client.get(typed.headers["location"])
    assert opened.status_code == 303 and opened.headers["location"].startswith("/s/")
    assert client.get("/q", params={"code": ""}).status_code == 200
    assert client.get("/q", params={"code": "../../etc"}).status_code in (303, 404)


def test_each_role_lands_on_its_own_start_page(client: TestClient, session: Session) -> None:
    make_user(session, "fieldonly", ["field"])
    make_user(session, "leader", ["lead", "field"])
    assert login(client, "fieldonly").headers["location"] == "/f"
    menu = client.get("/f").text
    assert "/tokens" not in menu and "/sessions" not in menu, "a field auditor's menu keeps to their work"
    assert 'class="menu-toggle"' in menu, "the menu folds behind one button on a phone"
    client.post("/logout", data={"_csrf": csrf_of(client, "/f")})
    assert login(client, "leader").headers["location"] == "/campaigns"
    assert "/tokens" in client.get("/campaigns").text
