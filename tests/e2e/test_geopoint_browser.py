"""Issue 26: a geopoint question on a phone. "Use my position" takes the phone's position with its accuracy
(Chromium given a position and the permission here); the answer is stored as ODK writes it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from survey_app.models import SurveyResponse
from tests.conftest import survey_path
from tests.factories import serving_xlsform
from tests.xlsform_books import workbook


def test_use_my_position_fills_the_answer(browser: Any, live_server: str, session: Session) -> None:
    gate = [["type", "name", "label", "required"], ["geopoint", "gate", "小区大门的位置", "yes"]]
    locations = serving_xlsform(session, "GEO-E2E", workbook(gate))
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": 24.4798, "longitude": 118.0894, "accuracy": 8},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(live_server + survey_path(locations[0]))
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_function("document.querySelector('#in-gate').value.length > 0")
    assert page.locator("#in-gate").input_value().startswith("24.479800 118.089400")
    assert "误差约 8 米" in page.locator("#geo-gate").inner_text()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/thanks/**")
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers["gate"].startswith("24.479800 118.089400")
    context.close()
