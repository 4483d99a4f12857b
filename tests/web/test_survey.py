"""The public survey over HTTP: render, page, submit once, and every kind of bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import Campaign, SurveyResponse
from tests.conftest import form_token, survey_path
from tests.factories import (
    app_of,
    csrf_of,
    full_answers,
    logged_in_lead,
    make_campaign,
)


def count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(SurveyResponse)).one()


@pytest.fixture
def target(session: Session) -> str:
    _campaign, locations = make_campaign(session)
    return survey_path(locations[0])


def fresh(client: TestClient, path: str, **extra: str) -> dict[str, str]:
    data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
    data.update(extra)
    return data


def test_survey_page_renders_in_chinese_by_default(client: TestClient, target: str) -> None:
    page = client.get(target)
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "住宅物业服务 业主满意度调查" in page.text and "非常同意" in page.text
    assert "第 1 部分，共 4 部分" in page.text
    assert 'name="viewport"' in page.text
    assert page.headers["vary"].startswith("HX-Request")


def test_language_switch_to_english_sticks(client: TestClient, target: str) -> None:
    page = client.get(target + "?lang=en")
    assert '<html lang="en">' in page.text and "Strongly agree" in page.text
    assert "Residential property services" in page.text
    assert client.get(target).text.count("Strongly agree") > 0, "the cookie keeps English"
    assert "非常同意" in client.get(target + "?lang=zh").text


def test_no_reference_to_another_host(client: TestClient, target: str) -> None:
    html = client.get(target).text
    for attr in ("src=", "href=", "action="):
        for part in html.split(attr)[1:]:
            url = part[1:].split(part[0])[0]
            assert not url.startswith(("http:", "https:", "//")), url


def test_submit_stores_one_response_and_thanks(client: TestClient, target: str, session: Session) -> None:
    data = fresh(client, target, **{"a.comment": "电梯维修很及时"})
    posted = client.post(target, data=data, headers={"user-agent": "TestPhone/1.0"})
    assert posted.status_code == 303
    thanks = client.get(posted.headers["location"])
    assert thanks.status_code == 200 and "谢谢！您的答卷已收到。" in thanks.text
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers["q01"] == 4 and stored.answers["q21"] == 2
    assert stored.comment == "电梯维修很及时" and "comment" not in stored.answers
    assert stored.channel == "online" and stored.status == "received"
    assert stored.user_agent == "TestPhone/1.0" and len(stored.ip_hash) == 16
    assert stored.started_at is not None and stored.started_at <= stored.submitted_at
    assert stored.public_id in thanks.text


def test_retry_with_same_key_stores_nothing_new(client: TestClient, target: str, session: Session) -> None:
    data = fresh(client, target)
    first = client.post(target, data=data)
    second = client.post(target, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(session) == 1


def test_htmx_submit_redirects_through_header(client: TestClient, target: str, session: Session) -> None:
    posted = client.post(target, data=fresh(client, target), headers={"HX-Request": "true"})
    assert posted.status_code == 200 and "/thanks/" in posted.headers["HX-Redirect"]
    assert count(session) == 1


def test_consented_phone_is_stored_apart_from_answers(
    client: TestClient, target: str, session: Session
) -> None:
    data = fresh(client, target, **{"a.contact_consent": "yes", "a.contact_phone": "138 0013 8000"})
    assert client.post(target, data=data).status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.contact_consent and stored.contact_phone and "0013" not in stored.contact_phone
    assert app_of(client).state.contacts.decrypt(stored.contact_phone) == "138 0013 8000", "encrypted at rest"
    assert "contact_phone" not in stored.answers


def test_phone_without_consent_is_not_kept(client: TestClient, target: str, session: Session) -> None:
    data = fresh(client, target, **{"a.contact_consent": "no", "a.contact_phone": "13800138000"})
    assert client.post(target, data=data).status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.contact_phone is None and not stored.contact_consent


def test_client_metadata_is_recorded(client: TestClient, target: str, session: Session) -> None:
    data = fresh(
        client, target, _client_id="c-0123456789abcdef", _item_ms='{"q01": 2300, "zz": 5, "q02": -1}'
    )
    client.post(target, data=data)
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.client_id == "c-0123456789abcdef"
    assert stored.item_ms == {"q01": 2300}


def test_missing_required_answer(client: TestClient, target: str, session: Session) -> None:
    data = fresh(client, target, **{"a.comment": "保留我"})
    del data["a.q07"]
    page = client.post(target, data=data)
    assert page.status_code == 422
    assert "请回答这道题。" in page.text and 'id="err-q07"' in page.text
    assert "保留我" in page.text, "valid answers are kept"
    assert 'value="4" checked' in page.text
    assert 'class="page current" aria-labelledby="sec-facilities"' in page.text, "opens on the problem page"
    assert count(session) == 0


def test_out_of_range_value(client: TestClient, target: str, session: Session) -> None:
    page = client.post(target, data=fresh(client, target, **{"a.q03": "9"}))
    assert page.status_code == 422 and "请选择 1 到 5 之间的数值。" in page.text
    assert count(session) == 0


def test_unknown_item_id(client: TestClient, target: str, session: Session) -> None:
    page = client.post(target, data=fresh(client, target, **{"a.q77": "3"}))
    assert page.status_code == 422 and "（q77）" in page.text
    assert count(session) == 0


def test_text_over_2000_characters(client: TestClient, session: Session) -> None:
    _c, locations = make_campaign(session, code="T-ELD", instrument="elderly-care-survey")
    path = survey_path(locations[0])
    data = {"_form": form_token(client.get(path).text), "_step": "submit", "a.respondent": "family"}
    data.update({f"a.q{n:02d}": "4" for n in range(1, 19)})
    data.update({"a.q11": "yes", "a.comment": "长" * 2001})
    page = client.post(path, data=data)
    assert page.status_code == 422 and "请不要超过 500 个字" in page.text
    assert count(session) == 0


def test_body_over_64_kb_comes_back_with_answers(client: TestClient, target: str, session: Session) -> None:
    data = fresh(client, target, _padding="x" * 70_000)
    page = client.post(target, data=data)
    assert page.status_code == 422 and "超过 64 KB" in page.text
    assert 'value="4" checked' in page.text
    assert count(session) == 0


def test_absurd_body_is_refused_without_parsing(client: TestClient, target: str, session: Session) -> None:
    page = client.post(
        target,
        content=b"a.q01=" + b"5" * 1_100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413 and "提交内容过大" in page.text
    assert count(session) == 0


def test_not_a_form_body(client: TestClient, target: str) -> None:
    page = client.post(target, content=b'{"a": 1}', headers={"content-type": "application/json"})
    assert page.status_code == 415 and "无法识别提交内容" in page.text


def test_tampered_form_token_keeps_answers(client: TestClient, target: str, session: Session) -> None:
    page = client.post(target, data=fresh(client, target, _form="forged"))
    assert page.status_code == 422 and "核对您的答案后再次提交" in page.text
    assert 'value="4" checked' in page.text
    assert count(session) == 0
    assert client.post(target, data={**fresh(client, target)}).status_code == 303


@pytest.mark.parametrize("token", ["nope", "A" * 26, "x8dDUzSFv6uchAw1WOC09njDoQ"])
def test_unknown_or_tampered_token_is_a_chinese_404(client: TestClient, token: str) -> None:
    page = client.get(f"/s/{token}")
    assert page.status_code == 404 and "未找到该调查" in page.text
    assert client.post(f"/s/{token}", data={"a.q01": "5"}).status_code == 404


def test_closed_campaign_is_410(client: TestClient, session: Session) -> None:
    _c, locations = make_campaign(session, code="T-CLOSED", status="closed")
    page = client.get(survey_path(locations[0]))
    assert page.status_code == 410 and "本次调查已结束" in page.text


def test_past_deadline_is_410_even_for_a_form_already_open(
    client: TestClient, target: str, session: Session
) -> None:
    data = fresh(client, target)
    campaign = session.exec(select(Campaign)).one()
    campaign.deadline = utcnow() - timedelta(minutes=1)
    session.add(campaign)
    session.commit()
    page = client.post(target, data=data)
    assert page.status_code == 410 and "截止" in page.text
    assert count(session) == 0


def test_not_started_is_403(client: TestClient, session: Session) -> None:
    _c, locations = make_campaign(session, code="T-LATER", starts_in_days=2)
    page = client.get(survey_path(locations[0]))
    assert page.status_code == 403 and "尚未开始" in page.text


def test_next_validates_only_the_current_page(client: TestClient, target: str) -> None:
    token = form_token(client.get(target).text)
    page_one = {f"a.q0{n}": "5" for n in range(1, 7)}
    moved = client.post(target, data={"_form": token, "_step": "next", "_page": "0", **page_one})
    assert moved.status_code == 200 and 'class="page current" aria-labelledby="sec-facilities"' in moved.text
    stuck = client.post(target, data={"_form": token, "_step": "next", "_page": "0", "a.q01": "5"})
    assert stuck.status_code == 422 and 'id="err-q02"' in stuck.text and 'id="err-q07"' not in stuck.text


def test_htmx_gets_the_fragment_only(client: TestClient, target: str) -> None:
    token = form_token(client.get(target).text)
    data = {"_form": token, "_step": "back", "_page": "2"}
    fragment = client.post(target, data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<form id="survey-form"') and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    full = client.post(target, data=data)
    assert "<html" in full.text


def test_refresh_shows_the_phone_question_after_consent(client: TestClient, target: str) -> None:
    token = form_token(client.get(target).text)
    before = client.post(target, data={"_form": token, "_step": "refresh", "_page": "3"})
    assert 'class="item cond-off" id="item-contact_phone"' in before.text
    after = client.post(
        target, data={"_form": token, "_step": "refresh", "_page": "3", "a.contact_consent": "yes"}
    )
    assert 'class="item" id="item-contact_phone"' in after.text


def test_thanks_for_unknown_receipt(client: TestClient, target: str) -> None:
    assert client.get(target + "/thanks/r-000000000000").status_code == 404


def test_unknown_page_and_method(client: TestClient) -> None:
    assert client.get("/nowhere").status_code == 404
    assert "页面不存在" in client.get("/nowhere").text
    assert client.delete("/").status_code == 405


def test_security_headers(client: TestClient, target: str) -> None:
    headers = client.get(target).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_the_cached_page_differs_only_by_its_form_token(client: TestClient, target: str) -> None:
    from survey_app.routes import survey

    survey._pages.clear()
    first, second = client.get(target).text, client.get(target).text
    assert len(survey._pages) == 1, "rendered once"
    assert form_token(first) != form_token(second) and survey.TOKEN_SLOT not in first
    assert first.replace(form_token(first), "") == second.replace(form_token(second), "")
    english = client.get(target + "?lang=en").text
    assert "Residential property services" in english and len(survey._pages) == 2


def test_8_form_tokens_are_bound_and_urls_come_from_the_base_url(
    client: TestClient, session: Session
) -> None:
    campaign, locations = logged_in_lead(client, session)
    token = form_token(client.get(survey_path(locations[0])).text)
    other = survey_path(locations[1])
    replayed = client.post(other, data={"_form": token, "_step": "submit", **full_answers()})
    assert replayed.status_code == 422 and session.exec(select(SurveyResponse)).first() is None
    too_many = {"_csrf": csrf_of(client), "buildings": "200", "per_building": "100"}
    assert client.post(f"/c/{campaign.code}/locations/generate", data=too_many).status_code == 422


def test_receipt_is_short_and_found_in_any_case(client: TestClient, session: Session) -> None:
    campaign, locations = make_campaign(session, code="RC-1")
    path = survey_path(locations[0])
    data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
    done = client.post(path, data=data, follow_redirects=False)
    receipt = done.headers["location"].rsplit("/", 1)[-1]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", receipt)
    assert client.get(f"{path}/thanks/{receipt.lower().replace('-', '')}").status_code == 200
