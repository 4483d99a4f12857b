"""A lead auditor on a phone: log in, create a campaign, import locations, open a poster, follow its QR code
into the survey, submit, and see the coverage count go up."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from sqlmodel import Session

from survey_app.clock import utcnow
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.services.grades.schemes import ensure_schemes
from tests.e2e.test_survey_browser import answer_current_page
from tests.factories import PASSWORD, make_user


def test_lead_sets_up_a_campaign_and_a_resident_answers(
    phone: Any, live_server: str, session: Session, tmp_path: Path
) -> None:
    register_bundled(session=session)
    ensure_schemes(session=session)
    make_user(session, "wang", ["lead"])
    page = phone
    page.goto(live_server + "/campaigns")
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="评价项目").wait_for()

    page.get_by_role("link", name="新建评价项目").click()
    local = utcnow() + timedelta(hours=8)
    page.get_by_label("项目编号").fill("E2E-WY")
    page.get_by_label("项目名称（中文）").fill("五缘湾1号 2027 顾客感知调查")
    page.get_by_label("被评价单位").fill("厦门联发 · 五缘湾1号")
    page.get_by_label("认证机构").fill("方圆标志认证集团")
    page.get_by_label("认证方案").select_option("property-estate")
    page.get_by_label("调查问卷").select_option(label="住宅物业服务 业主满意度调查 · 第 1 版")
    page.get_by_label("调查开始时间").fill((local - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("截止时间").fill((local + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    page.get_by_role("heading", name="五缘湾1号 2027 顾客感知调查").wait_for()

    page.get_by_role("link", name="地点与公告").first.click()
    csv = tmp_path / "locations.csv"
    csv.write_bytes("编号,名称,目标样本量\nB01,1号楼 单元入口,12\nB02,2号楼 单元入口,12\n".encode("gbk"))
    page.get_by_label("文件").set_input_files(str(csv))
    page.get_by_role("button", name="导入").click()
    page.get_by_text("已添加 2 个地点").wait_for()

    page.locator("#loc-B01").get_by_role("link", name="打印").click()
    page.get_by_text("调查要求").wait_for()
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))  # what a phone camera would see
    decoded = zxingcpp.read_barcodes(shot)
    assert len(decoded) == 1 and decoded[0].text.startswith(live_server + "/s/")

    resident = page.context.browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    ).new_page()
    resident.goto(decoded[0].text)
    for _ in range(3):
        answer_current_page(resident)
        resident.locator("section.page.current").get_by_role("button", name="下一页").click()
        resident.wait_for_timeout(200)
    resident.locator("section.page.current").get_by_role("button", name="提交").click()
    resident.get_by_role("heading", name="谢谢！您的答卷已收到。").wait_for()
    resident.context.close()

    page.goto(live_server + "/c/E2E-WY")
    assert page.locator('[data-count="B01"]').inner_text() == "1"
    assert page.locator('[data-count="B02"]').inner_text() == "0"
