"""Without signal (issue 11), in Chromium on a 360 px phone: a resident answers and submits offline and gets
the receipt once back online; a reload offline keeps the answers; a covert auditor logs a visit with a photo
offline and the outbox sends it exactly once (two tabs); a visit cancelled meanwhile shows the 409 message
after sync while the lead auditor has what was sent. The installed app passes Chrome's installability
check."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session, func, select

from survey_app.models import Campaign, Evidence, RequestKey, Sheet, SurveyResponse, User, Visit
from survey_app.services.field import visits
from tests.conftest import survey_path
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.e2e.test_field_browser import answer_all, log_in
from tests.e2e.test_survey_browser import answer_current_page
from tests.factories import add_member, covert_visit, make_campaign, make_user

SAVED = "您的答卷已保存在这部手机上"


def worker_ready(page: Any) -> None:
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready")


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_resident_submits_offline_and_gets_the_receipt_online(
    phone: Any, live_server: str, session: Session
) -> None:
    _campaign, locations = make_campaign(session, code="OFF-1")
    phone.goto(live_server + survey_path(locations[0]))
    worker_ready(phone)
    phone.context.set_offline(True)
    for expected in ("第 2 部分，共 4 部分", "第 3 部分，共 4 部分", "第 4 部分，共 4 部分"):
        answer_current_page(phone)
        phone.locator("section.page.current").get_by_role("button", name="下一页").click()
        phone.get_by_text(expected).wait_for()
    answer_current_page(phone)
    phone.locator("section.page.current").get_by_role("button", name="提交").click()
    phone.get_by_text(SAVED).wait_for()
    assert count(session, SurveyResponse) == 0, "nothing can arrive without signal"
    # reopening the link without signal: the waiting answers are shown, never a blank survey to answer again
    phone.reload()
    phone.get_by_text("无需重新作答").wait_for()
    assert not phone.locator("#survey-form").is_visible(), "no blank survey invites a second response"

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.locator(".receipt").wait_for(timeout=15000)
    receipt = phone.locator(".receipt").inner_text()
    session.expire_all()
    rows = session.exec(select(SurveyResponse)).all()
    assert len(rows) == 1 and rows[0].public_id == receipt
    assert rows[0].item_ms and len(rows[0].item_ms) >= 20, (
        "per-item answer times travel with the queued answers"
    )
    assert rows[0].channel == "online"


def test_half_answered_survey_survives_an_offline_reload(
    phone: Any, live_server: str, session: Session
) -> None:
    _campaign, locations = make_campaign(session, code="OFF-2")
    phone.goto(live_server + survey_path(locations[0]))
    worker_ready(phone)
    answer_current_page(phone)
    phone.locator("section.page.current").get_by_role("button", name="下一页").click()
    phone.get_by_text("第 2 部分，共 4 部分").wait_for()
    first = phone.locator("section.page.current fieldset.item").first
    first.get_by_label("非常同意", exact=True).check()
    phone.context.set_offline(True)
    phone.reload()
    phone.get_by_text("第 2 部分，共 4 部分").wait_for()
    again = phone.locator("section.page.current fieldset.item").first
    assert again.get_by_label("非常同意", exact=True).is_checked(), (
        "the answer given before the reload is back"
    )
    page_one = phone.locator("section.page").first.locator("input:checked").count()
    assert page_one >= 5, "the first part's answers are kept too"
    phone.context.set_offline(False)


def _covert_visit(session: Session) -> tuple[Campaign, Visit]:
    campaign, locations = make_campaign(session, code="OFF-V")
    field = make_user(session, "field", ["field"])
    lead = make_user(session, "wang", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=field.id, role="field")
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    visit = covert_visit(
        session, campaign, location_id=locations[0].id, field_id=field.id or 0, actor=lead.username
    )
    return campaign, visit


def _keep_screens(page: Any, server: str) -> None:
    log_in(page, server, "/f", "field")
    page.get_by_role("heading", name="我的任务").wait_for()
    worker_ready(page)
    page.reload()  # now under the worker's control
    page.wait_for_selector("body[data-kept]", timeout=20000)


def _photo(path: Path) -> None:
    image = Image.new("RGB", (800, 600), (230, 120, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def test_covert_visit_logged_offline_is_sent_once(
    browser: Any, phone: Any, live_server: str, session: Session, tmp_path: Path
) -> None:
    _campaign, visit = _covert_visit(session)
    picture = tmp_path / "receipt.jpg"
    _photo(picture)
    page = phone
    _keep_screens(page, live_server)
    page.context.set_offline(True)
    page.locator(f'a[href="/f/v/{visit.id}"]').click()
    assert page.title() == "笔记"
    page.get_by_role("button", name="开始").click()
    page.get_by_role("button", name="保存，下一步").wait_for()
    page.set_input_files("#photo", str(picture))
    page.get_by_role("button", name="添加照片").click()
    page.get_by_role("button", name="保存，下一步").wait_for()
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
    page.get_by_role("heading", name="待发送").wait_for()
    page.locator("#outbox li").first.wait_for()
    queued = page.locator("#outbox li[data-state=waiting]").count()
    assert queued >= 6, "check-in, photo, steps, check-out and submit wait on the phone"
    assert count(session, Evidence) == 0 and count(session, RequestKey) == 0
    context = page.context
    page.close()

    context.set_offline(False)
    tabs = [context.new_page(), context.new_page()]
    for tab in tabs:  # two tabs open at once: both try to send
        tab.goto(f"{live_server}/f/outbox", wait_until="commit")
    for tab in tabs:
        tab.wait_for_function(
            "document.querySelectorAll('#outbox li').length > 0 && "
            "document.querySelectorAll('#outbox li[data-state=waiting]').length === 0",
            timeout=30000,
        )
    assert tabs[0].locator("#outbox li[data-state=refused]").count() == 0
    assert count(session, RequestKey) == queued, "each queued item stored once"
    assert count(session, Evidence) == 1, "one photo, however many senders"
    row = session.get(Visit, visit.id)
    assert row is not None
    session.refresh(row)
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit.id)).one()
    assert sheet.submitted_at is not None and sheet.checkin_at is not None and sheet.checkout_at is not None
    assert sheet.checkin_at < sheet.checkout_at < sheet.submitted_at, "dated when captured, in order"
    assert row.status == "final"


def test_cancelled_meanwhile_shows_the_409_message_and_the_lead_has_it(
    phone: Any, live_server: str, session: Session
) -> None:
    campaign, visit = _covert_visit(session)
    page = phone
    _keep_screens(page, live_server)
    page.context.set_offline(True)
    page.locator(f'a[href="/f/v/{visit.id}"]').click()
    page.get_by_role("button", name="开始").click()
    page.get_by_role("button", name="保存，下一步").wait_for()
    answer_all(page)
    page.get_by_role("button", name="保存，下一步").click()
    page.wait_for_load_state()

    lead = session.exec(select(User).where(User.username == "wang")).one()
    row = session.get(Visit, visit.id)
    assert row is not None
    visits.cancel(session=session, campaign=campaign, visit=row, actor=lead.username, reason="门店停业")
    session.commit()

    page.context.set_offline(False)
    page.goto(f"{live_server}/f/outbox")
    page.wait_for_function(
        "document.querySelectorAll('#outbox li').length >= 2 && "
        "document.querySelectorAll('#outbox li[data-state=waiting]').length === 0",
        timeout=30000,
    )
    refused = page.locator("#outbox li[data-state=refused]")
    assert refused.count() == 2
    assert "已保留供组长查看" in refused.first.inner_text(), "the server's reason, in Chinese"
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit.id)).one()
    session.refresh(sheet)
    assert sheet.checkin_at is not None and sheet.after_cancel, "the lead auditor has what was sent"
    assert sheet.answers, "the step's answers were kept too"


def test_the_installed_app_passes_chrome_installability_check(
    browser: Any, live_server: str, session: Session, tmp_path: Path
) -> None:
    make_user(session, "field", ["field"])
    session.commit()
    context = browser.browser_type.launch_persistent_context(  # a real profile: incognito cannot install
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=LAUNCH_ARGS,
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        log_in(page, live_server, "/app", "field")
        page.get_by_role("heading", name="我的任务").wait_for()
        worker_ready(page)
        manifest = page.evaluate("async () => (await (await fetch('/manifest.webmanifest')).json())")
        assert manifest["short_name"] == "明察" and manifest["display"] == "standalone"
        assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
        assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert cdp.send("Page.getAppManifest")["errors"] == []
    finally:
        context.close()
