"""Open the certificate's QR URL on a phone: the tier and a radar chart with one axis per dimension."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from sqlmodel import Session

from survey_app.services.grades import locks
from tests.e2e.conftest import axe_violations
from tests.factories import seed_graded_demo


def test_certificate_page_on_a_phone(phone: Any, live_server: str, session: Session, axe_path: Path) -> None:
    campaign, _locations = seed_graded_demo(session)
    snapshot = locks.lock(session=session, campaign=campaign, actor="e2e")
    session.commit()
    assert snapshot.certificate_token
    qr = phone.request.get(f"{live_server}/cert/{snapshot.certificate_token}/qr.png")
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.body())))[0].text
    phone.goto(url)
    assert phone.locator(".tier").inner_text() == "四星级"
    radar = phone.get_by_role("img", name="各维度得分")
    assert radar.is_visible()
    assert radar.locator("line").count() == 7, "six shared dimensions, and management"
    for label in ("客户服务", "环境卫生", "房屋及共用设施设备", "安全与应急", "综合管理", "特色服务"):
        assert radar.get_by_text(label).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone, axe_path) == []
