"""The reader's language: a phone set to English gets English without asking; ?lang= and the cookie still
win; posters speak the residents' language whatever the desk's; the phone field says why it is asked."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.i18n import from_accept_language
from tests.conftest import survey_path
from tests.factories import csrf_of, logged_in_lead, make_campaign, make_user


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("en-GB", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh-TW", "zh_CN"),
        ("fr-FR,en;q=0.5,zh;q=0.7", "zh_CN"),
        ("fr-FR,de;q=0.8", None),
        ("en;q=0,zh;q=0.1", "zh_CN"),
        ("", None),
        ("en;q=abc,zh", "zh_CN"),
        ("," * 5000, None),
    ],
)
def test_accept_language_is_read_with_its_weights(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_a_phone_set_to_english_gets_the_english_survey(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session, code="L-1")
    path = survey_path(locations[0])
    english = client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in english.text and "Part 1 of" in english.text
    assert "Accept-Language" in english.headers["vary"]
    chinese = client.get(path, headers={"Accept-Language": "zh-CN"})
    assert "第 1 部分" in chinese.text
    asked = client.get(path + "?lang=zh", headers={"Accept-Language": "en-US"})
    assert "第 1 部分" in asked.text, "?lang= wins over the browser"
    again = client.get(path, headers={"Accept-Language": "en-US"})
    assert "第 1 部分" in again.text, "and is remembered in the cookie"


def test_the_phone_field_says_why_and_who_sees_it(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session, code="L-2")
    path = survey_path(locations[0])
    page = client.get(path).text
    assert "为什么需要" in page and "90 天内删除" in page and "加密保存" in page
    english = client.get(path + "?lang=en").text
    assert "Why we ask" in english and "deleted 90 days after" in english


def test_posters_speak_the_residents_language(client: TestClient, session: Session) -> None:
    campaign, locations = logged_in_lead(client, session, code="L-3")
    client.get("/campaigns?lang=en")  # the lead auditor works in English
    poster = client.get(f"/c/L-3/posters/{locations[0].code}")
    assert poster.status_code == 200 and '<html lang="zh-CN">' in poster.text
    assert "时效要求：" in poster.text and "Back to locations" in poster.text, (
        "the desk's own links stay English"
    )
    english = client.get(f"/c/L-3/posters/{locations[0].code}?poster=en")
    assert (
        '<html lang="en">' in english.text
        and "Deadline: " in english.text
        and "：" not in english.text.split("<main", 1)[1].split("</main>")[0]
    )
    assert campaign.code == "L-3"


def test_admins_confirm_before_a_reset_or_a_deactivation(client: TestClient, session: Session) -> None:
    from survey_app.auth.passwords import READABLE
    from tests.factories import login

    make_user(session, "boss", ["admin"])
    target = make_user(session, "worker", ["field"])
    login(client, "boss")
    token = csrf_of(client, "/users")
    ask = client.post("/users/worker/reset", data={"_csrf": token})
    assert (
        ask.status_code == 200
        and 'name="confirm" value="yes"' in ask.text
        and 'class="danger primary"' in ask.text
    )
    session.refresh(target)
    assert not target.must_change_password, "nothing happens before the confirmation"
    done = client.post("/users/worker/reset", data={"_csrf": token, "confirm": "yes"})
    assert done.status_code == 200
    temporary = done.text.split("<code", 1)[1].split(">", 1)[1].split("<", 1)[0].strip()
    assert len(temporary) == 14 and set(temporary.replace("-", "")) <= set(READABLE)
    assert not set(temporary) & set("0O1lIi5s2z"), "nothing to misread when it is read out"
    ask = client.post("/users/worker/active", data={"_csrf": token, "active": "no"})
    session.refresh(target)
    assert ask.status_code == 200 and target.active and 'name="active" value="no"' in ask.text
    client.post("/users/worker/active", data={"_csrf": token, "active": "no", "confirm": "yes"})
    session.refresh(target)
    assert not target.active
