"""Issue 26: a resident adds a photo on the phone where the lead allows it (htmx posts the page with the file;
the page comes back with the answers kept), then submits; the stored photo has no metadata."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session, select

from survey_app.models import Blob, Campaign, SurveyResponse
from tests.conftest import survey_path
from tests.factories import serving_xlsform
from tests.web.test_resident_photos import FORM, _gps_photo


def test_a_resident_adds_a_photo_on_the_phone(
    browser: Any, live_server: str, session: Session, tmp_path: Path
) -> None:
    locations = serving_xlsform(session, "PIC-E2E", FORM)
    campaign = session.exec(select(Campaign).where(Campaign.code == "PIC-E2E")).one()
    campaign.resident_photos = True
    session.add(campaign)
    session.commit()
    photo = tmp_path / "lift.jpg"
    photo.write_bytes(_gps_photo())
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + survey_path(locations[0]))
    page.fill("#in-what", "电梯坏了")
    page.set_input_files("#in-pic", str(photo))
    page.get_by_role("button", name="添加这张照片").click()
    page.wait_for_selector("#photo-pic")
    assert page.locator("#in-what").input_value() == "电梯坏了", "the answers kept"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/thanks/**")
    stored = session.exec(select(SurveyResponse)).one()
    blob = session.get(Blob, stored.answers["pic"])
    assert blob is not None and not Image.open(io.BytesIO(blob.data)).getexif()
    context.close()
