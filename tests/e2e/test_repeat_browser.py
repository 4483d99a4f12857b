"""Issue 26: a repeat on a phone, with JavaScript (htmx): "add another" brings a second entry with the first
entry's answer still there, "remove" takes one away, and the entries are stored in order. No sideways scroll
at 360 px with two entries open."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from survey_app.models import SurveyResponse
from tests.conftest import survey_path
from tests.factories import serving_xlsform
from tests.xlsform_books import workbook

ROSTER = [
    ["type", "name", "label", "required"],
    ["begin repeat", "child", "家里的孩子", ""],
    ["text", "c_name", "孩子的名字", "yes"],
    ["integer", "c_age", "孩子的年龄", "yes"],
    ["end repeat", "", "", ""],
]


def test_entries_are_added_and_removed_on_the_phone(browser: Any, live_server: str, session: Session) -> None:
    locations = serving_xlsform(session, "REP-E2E", workbook(ROSTER))
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + survey_path(locations[0]))
    page.fill("#in-c_name\\.1", "小安")
    page.fill("#in-c_age\\.1", "8")
    page.get_by_role("button", name="再添加一条").click()
    page.wait_for_selector("#in-c_name\\.2")
    assert page.locator("#in-c_name\\.1").input_value() == "小安", "the first entry kept"
    page.fill("#in-c_name\\.2", "小博")
    page.fill("#in-c_age\\.2", "3")
    page.get_by_role("button", name="再添加一条").click()
    page.wait_for_selector("#in-c_name\\.3")
    page.fill("#in-c_name\\.3", "小慈")
    page.fill("#in-c_age\\.3", "11")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="删除第 2 条").click()
    page.wait_for_selector("#in-c_name\\.3", state="detached")
    assert page.locator("#in-c_name\\.2").input_value() == "小慈", "the third moved up"
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/thanks/**")
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers["child"] == [{"c_name": "小安", "c_age": 8}, {"c_name": "小慈", "c_age": 11}]
    context.close()
