"""A resident on a 360 px phone: open the survey by token, answer, submit, exactly one response stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from survey_app.models import SurveyResponse
from tests.conftest import survey_path
from tests.e2e.conftest import axe_violations
from tests.factories import make_campaign


def answer_current_page(page: Any, choice: str = "同意") -> int:
    groups = page.locator("section.page.current fieldset.item:visible")
    answered = 0
    for n in range(groups.count()):
        group = groups.nth(n)
        if group.locator("input:checked").count():
            continue
        option = group.get_by_label(choice, exact=True)
        if option.count() == 0:
            option = group.locator("label.opt").first.locator("input")
        option.check()
        answered += 1
    return answered


def test_resident_answers_on_a_phone(phone: Any, live_server: str, session: Session, axe_path: Path) -> None:
    _campaign, locations = make_campaign(session, code="E2E-1")
    off_site: list[str] = []
    phone.on("request", lambda r: None if r.url.startswith(live_server) else off_site.append(r.url))

    phone.goto(live_server + survey_path(locations[0]))
    assert phone.get_by_role("heading", level=1).inner_text() == "住宅物业服务 业主满意度调查"
    assert phone.get_by_text("第 1 部分，共 4 部分").is_visible()
    assert axe_violations(phone, axe_path) == []
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "no sideways scrolling at 360 px"

    # A page with a missing answer stays, with the message beside the question (htmx, 422 swapped in).
    groups = phone.locator("section.page.current fieldset.item")
    groups.first.get_by_label("非常同意", exact=True).check()
    phone.get_by_role("button", name="下一页").click()
    phone.wait_for_selector("#form-alert")
    assert phone.locator(".error").first.inner_text() == "请回答这道题。"
    assert groups.first.get_by_label("非常同意", exact=True).is_checked(), "valid answers kept"
    assert axe_violations(phone, axe_path) == []

    for expected in ("第 2 部分，共 4 部分", "第 3 部分，共 4 部分", "第 4 部分，共 4 部分"):
        answer_current_page(phone)
        phone.locator("section.page.current").get_by_role("button", name="下一页").click()
        phone.get_by_text(expected).wait_for()

    phone.get_by_label("您对物业服务还有什么意见或建议？").fill("电梯维修很及时")
    assert not phone.get_by_label("回访电话", exact=False).is_visible()
    phone.get_by_role("group", name="认证机构会随机电话回访").get_by_label("是", exact=True).check()
    phone.get_by_label("回访电话", exact=False).wait_for(state="visible")
    phone.get_by_label("回访电话", exact=False).fill("13800138000")
    phone.get_by_role("button", name="提交").click()

    phone.get_by_role("heading", name="谢谢！您的答卷已收到。").wait_for()
    assert axe_violations(phone, axe_path) == []
    assert off_site == [], "no request goes to another host"

    stored = session.exec(select(SurveyResponse)).all()
    assert len(stored) == 1
    response = stored[0]
    assert response.answers["q01"] == 5 and response.answers["q07"] == 4
    assert response.comment == "电梯维修很及时" and response.contact_consent
    assert response.contact_phone and "13800138000" not in response.contact_phone, "encrypted at rest"
    assert response.client_id.startswith("c-") and len(response.client_id) == 26
    assert len(response.item_ms) >= 21, "per-item answer times recorded"
    assert all(ms >= 0 for ms in response.item_ms.values())
    assert response.public_id in phone.content()


def test_survey_works_without_javascript(browser: Any, live_server: str, session: Session) -> None:
    _campaign, locations = make_campaign(session, code="E2E-2")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server + survey_path(locations[0]))
    # Switching language halfway posts what was answered: nothing is lost, the page comes back in English.
    answer_current_page(page, "一般")
    page.locator(".topbar").get_by_role("button", name="English").click()
    page.locator("p.progress").get_by_text("Part 1 of 4").wait_for()
    checked = page.locator("section.page.current input[type=radio]:checked").count()
    assert checked == page.locator("section.page.current fieldset.item:visible").count() > 0
    page.locator(".topbar").get_by_role("button", name="中文").click()
    page.locator("p.progress").get_by_text("第 1 部分，共 4 部分").wait_for()
    for expected in ("第 2 部分，共 4 部分", "第 3 部分，共 4 部分", "第 4 部分，共 4 部分"):
        answer_current_page(page, "一般")
        page.locator("section.page.current").get_by_role("button", name="下一页").click()
        # Without JavaScript each page is a full form post: wait for the next page to arrive.
        page.locator("p.progress").get_by_text(expected).wait_for()
    assert page.get_by_label("回访电话", exact=False).is_visible(), "no-JS shows conditional items"
    page.locator("section.page.current").get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="谢谢！您的答卷已收到。").wait_for()
    context.close()
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers["q01"] == 3 and stored.item_ms == {}
