"""A covert auditor on a phone logs a visit with a photo from the file chooser and finishes it; the lead
auditor sees the visit, the photo's EXIF time beside the check-in, and the grade's management component."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from survey_app.clock import utcnow
from survey_app.models import User, Visit
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, add_member, covert_visit, make_user, seed_graded_demo


def photo_taken_at(path: Path, local_text: str) -> None:
    image = Image.new("RGB", (1200, 900), (235, 235, 225))
    ImageDraw.Draw(image).rectangle((200, 200, 700, 600), fill=(40, 90, 160))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = local_text
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())


def log_in(page: Any, server: str, path: str, username: str) -> None:
    page.goto(f"{server}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def answer_all(page: Any) -> None:
    page.eval_on_selector_all(
        'input[type=radio][value="4"], input[type=radio][value="yes"]',
        "els => els.forEach(e => e.checked = true)",
    )


def test_covert_visit_with_a_photo_then_the_lead_sees_it(
    phone: Any, live_server: str, session: Session, tmp_path: Path, axe_path: Path
) -> None:
    campaign, locations = seed_graded_demo(session)
    lead = make_user(session, "wang", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    field = session.exec(select(User).where(User.username == "field")).one()
    visit = covert_visit(session, campaign, location_id=locations[2].id, field_id=field.id or 0, actor="wang")
    taken = utcnow().astimezone(ZoneInfo(campaign.timezone)).replace(microsecond=0)
    picture = tmp_path / "receipt.jpg"
    photo_taken_at(picture, taken.strftime("%Y:%m:%d %H:%M:%S"))

    page = phone
    log_in(page, live_server, "/f", "field")
    page.get_by_role("heading", name="我的任务").wait_for()
    page.locator(f'a[href="/f/v/{visit.id}"]').click()
    assert page.title() == "笔记" and "明察" not in page.content(), "a neutral screen for covert work"
    assert axe_violations(page, axe_path) == []
    page.get_by_role("button", name="开始").click()
    page.get_by_role("button", name="保存，下一步").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert 'name="a.e04"' not in page.content(), "open items stay hidden during the covert part"
    page.set_input_files("#photo", str(picture))
    page.get_by_role("button", name="添加照片").click()
    page.get_by_alt_text("receipt.jpg").wait_for()
    while page.get_by_role("button", name="保存，下一步").count():
        answer_all(page)
        page.get_by_role("button", name="保存，下一步").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="完成此部分").click()
    page.get_by_role("button", name="保存，下一步").wait_for()
    while page.get_by_role("button", name="保存，下一步").count():
        answer_all(page)
        page.get_by_role("button", name="保存，下一步").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="提交评分表").click()
    page.get_by_text("提交，谢谢").wait_for()
    row = session.get(Visit, visit.id)
    session.refresh(row)
    assert row is not None and row.status == "final"

    page.context.clear_cookies()
    log_in(page, live_server, f"/c/{campaign.code}/visits/{visit.id}", "wang")
    page.get_by_text("照片拍摄于 " + taken.strftime("%Y-%m-%d %H:%M:%S")).wait_for()
    page.get_by_text("开始时间").wait_for()
    assert "不在任务时段内" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page, axe_path) == []
    page.goto(f"{live_server}/c/{campaign.code}/report")
    page.get_by_text("服务管理审核").first.wait_for()
    assert "服务特性测评" in page.content()
    assert "无数据" not in page.content() and "incomplete" not in page.content()
