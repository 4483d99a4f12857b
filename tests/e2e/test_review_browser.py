"""A lead auditor on a phone: the queue, a flagged response, the phone number, a call, an exclusion, and the
summary and the grade's count following."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from survey_app.models import AuditLog, SurveyResponse
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.grades import grading
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.services.review.contacts import ContactCipher
from survey_app.settings import Settings
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, add_member, make_user


def test_lead_calls_back_and_excludes_a_flagged_response(
    phone: Any, live_server: str, session: Session, settings: Settings, axe_path: Path
) -> None:
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    picks = draw_callbacks(session=session, campaign=campaign, seed=7, actor="t")
    first = session.get(SurveyResponse, picks[0].response_id)
    assert first is not None
    first.contact_consent, first.contact_phone = True, ContactCipher(settings.data_key).encrypt("13912345678")
    session.add(first)
    session.commit()
    lead = make_user(session, "wang", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    counted_before = grading.compute(session=session, campaign=campaign)[0].component("perception").n

    page = phone
    page.goto(f"{live_server}/c/{campaign.code}/review")
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="审核与回访").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page, axe_path) == []
    assert not page.get_by_label("样本").is_visible(), "on a phone the filters fold behind one button"
    page.get_by_text("筛选和排序").click()
    page.get_by_label("样本").select_option("flagged")  # htmx swaps the queue in place
    page.wait_for_url(re.compile(r"sample=flagged"))
    page.get_by_role("link", name=first.public_id).click()
    page.get_by_role("heading", name=f"答卷 {first.public_id}").wait_for()
    assert "13912345678" not in page.content()
    page.get_by_role("button", name="查看电话号码").click()
    page.get_by_role("link", name="13912345678").wait_for()
    assert page.get_by_role("link", name="13912345678").get_attribute("href") == "tel:13912345678"
    # one form: the outcome picks the decision and fills in the reason, which stays editable
    page.get_by_role("group", name="回访结果").get_by_label("受访者否认填写").check()
    reason = page.locator("#cb-reason")
    assert reason.input_value() == "回访时受访者否认本人填写。"
    assert page.locator("#call-form input[name=decision][value=exclude]").is_checked()
    reason.fill("回访时机主否认填写")
    page.get_by_label("通话要点（选填）").fill("机主说从未填写过")
    page.get_by_role("button", name="保存回访结果和决定").click()
    page.get_by_text("机主说从未填写过").first.wait_for()
    page.get_by_text("回访否认，不计入").first.wait_for()
    assert axe_violations(page, axe_path) == []

    page.get_by_role("link", name="审核与回访").first.click()
    page.get_by_role("heading", name="回访汇总").wait_for()
    summary = page.locator("section.summary").inner_text()
    assert re.search(r"已联系上\s*1", summary) and re.search(r"否认填写或回答不一致\s*1", summary)
    session.expire_all()
    counted_after = grading.compute(session=session, campaign=campaign)[0].component("perception").n
    assert counted_after == counted_before - 1
    page.goto(f"{live_server}/c/{campaign.code}/report")
    assert f"{counted_after}" in page.locator("table").first.inner_text()
    actions = set(session.exec(select(AuditLog.action).where(AuditLog.campaign_id == campaign.id)).all())
    assert {"contact.reveal", "callback.attempt", "response.lead"} <= actions
