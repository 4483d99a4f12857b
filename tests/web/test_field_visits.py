"""Field visits: assignments per auditor, the covert screen, blind scoring and reconciliation, evidence,
cancellation, interviews, and the grade from the sheets."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.models import AuditLog, Evidence, Sheet, SurveyResponse, Visit
from survey_app.services.grades import grading
from survey_app.settings import Settings
from tests.factories import csrf_of
from tests.web.field_work import (
    OPEN_ITEMS,
    as_user,
    fill_sheet,
    scene,
    schedule,
    setup,
)


def test_assignments_are_per_auditor_and_soonest_first(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    later = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"]], start_h=48)
    sooner = schedule(lead, "V-1", ids["property-open-evaluation"], "covert", [users["f1"]], start_h=2)
    theirs = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f2"]])
    f1 = as_user(settings, "f1")
    home = f1.get("/f").text
    assert f"/f/v/{sooner}" in home and f"/f/v/{later}" in home and f"/f/v/{theirs}" not in home
    assert home.index(f"/f/v/{sooner}") < home.index(f"/f/v/{later}")
    assert f1.get(f"/f/v/{theirs}").status_code == 403
    bad = lead.post(
        "/c/V-1/visits",
        data={"_csrf": csrf_of(lead), "mode": "covert", "instrument": str(ids["property-management-audit"])},
    )
    assert bad.status_code == 422 and "开始" in bad.text or "结束" in bad.text


def test_covert_screen_hides_open_items_and_records_both_clocks(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(
        lead, "V-1", ids["property-open-evaluation"], "covert", [users["f1"]], loc=locations[0].id
    )
    f1 = as_user(settings, "f1")
    start = f1.get(f"/f/v/{visit}")
    assert "<title>笔记</title>" in start.text and "明察" not in start.text, (
        "a neutral screen, no product name"
    )
    device = (utcnow() - timedelta(minutes=7)).isoformat()
    token = csrf_of(f1, "/f")
    assert f1.post(f"/f/v/{visit}/checkin", data={"_csrf": token, "device_time": device}).status_code == 303
    covert_text = "".join(f1.get(f"/f/v/{visit}?step={n}").text for n in range(6))
    assert "a.e01" in covert_text and not any(f'"a.{i}"' in covert_text for i in OPEN_ITEMS)
    assert f1.post(f"/f/v/{visit}/checkout", data={"_csrf": token, "device_time": ""}).status_code == 303
    writeup = "".join(f1.get(f"/f/v/{visit}?step={n}").text for n in range(6))
    assert all(f'"a.{i}"' in writeup for i in OPEN_ITEMS), "open items follow the covert part"
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    session.refresh(sheet)
    assert (
        sheet.checkin_at
        and sheet.checkin_device_at
        and sheet.checkout_at
        and sheet.checkout_device_at is None
    )
    detail = lead.get(f"/c/V-1/visits/{visit}").text
    assert "-420" in detail or "-419" in detail or "-421" in detail, "the phone's clock skew is shown"
    other = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f1"]])
    far = f1.post(f"/f/v/{other}/checkin", data={"_csrf": token, "device_time": "2023-01-01T08:00:00+08:00"})
    assert far.status_code == 303, "a phone clock years off is kept, not refused"
    kept = session.exec(select(Sheet).where(Sheet.visit_id == other)).one()
    assert kept.checkin_device_at is not None and kept.checkin_device_at.year == 2023


def test_missing_items_then_submit_once(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"]])
    f1 = as_user(settings, "f1")
    token = csrf_of(f1, "/f")
    f1.post(f"/f/v/{visit}/checkin", data={"_csrf": token})
    fill_sheet(f1, visit, "4", skip=frozenset({"e05", "e11"}))
    missing = f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-1"})
    assert missing.status_code == 422
    assert "楼道和电梯轿厢" in missing.text and "疏散指示标志" in missing.text, "the missing items are listed"
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    session.refresh(sheet)
    assert sheet.answers["e01"] == 4 and sheet.submitted_at is None, "every answer kept"
    fill_sheet(f1, visit, "4")
    assert f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-2"}).status_code == 303
    assert f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-2"}).status_code == 303
    assert f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-3"}).status_code == 409
    row = session.get(Visit, visit)
    session.refresh(row)
    assert row is not None and row.status == "final" and row.final_answers and row.final_answers["e01"] == 4
    submits = session.exec(select(AuditLog).where(AuditLog.action == "sheet.submit")).all()
    assert len(submits) == 1, "stored once"


def test_two_raters_score_blind_then_reconcile(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"], users["f2"]])
    sheets = session.exec(select(Sheet).where(Sheet.visit_id == visit).order_by(col(Sheet.id))).all()
    f1, f2 = as_user(settings, "f1"), as_user(settings, "f2")
    for client, value in ((f1, "4"), (f2, "5")):
        client.post(f"/f/v/{visit}/checkin", data={"_csrf": csrf_of(client, "/f")})
        fill_sheet(client, visit, value)
    other = f"/f/v/{visit}/sheet/{sheets[1].id}"
    assert f1.get(other).status_code == 403, "blind: f2 has not submitted"
    assert f1.post(f"/f/v/{visit}/submit", data={"_csrf": csrf_of(f1, "/f"), "key": "a"}).status_code == 303
    assert f1.get(other).status_code == 403, "blind until both have submitted"
    assert f2.get(f"/f/v/{visit}/sheet/{sheets[0].id}").status_code == 403
    assert f1.get(f"/c/V-1/visits/{visit}").status_code == 403
    assert f2.post(f"/f/v/{visit}/submit", data={"_csrf": csrf_of(f2, "/f"), "key": "b"}).status_code == 303
    assert f1.get(other).status_code == 200
    detail = lead.get(f"/c/V-1/visits/{visit}").text
    assert "两名审核员" in detail or "不一致" in detail or "differ" in detail
    assert 'name="a.e01"' in detail and 'name="a.e04"' not in detail, "only the differing items are listed"
    token = csrf_of(lead)
    no_note = lead.post(f"/c/V-1/visits/{visit}/reconcile", data={"_csrf": token, "a.e01": "4"})
    assert no_note.status_code == 422
    form = {
        "_csrf": token,
        "note": "现场复核",
        **{f"a.e{n:02d}": "4" for n in range(1, 18) if n not in (4, 13)},
    }
    assert lead.post(f"/c/V-1/visits/{visit}/reconcile", data=form).status_code == 303
    row = session.get(Visit, visit)
    session.refresh(row)
    assert row is not None and row.status == "final" and row.final_answers is not None
    assert row.final_answers["e01"] == 4 and row.final_answers["e04"] == "yes"
    for sheet, score in zip(sheets, (4, 5), strict=True):
        session.refresh(sheet)
        assert sheet.answers["e01"] == score, "both raw sheets stay"
    page = lead.get("/c/V-1/visits").text
    cells = re.sub(r"<td[^>]*>", "<td>", page)
    assert "f1 · f2" in page and "<td>17</td><td>12%</td>" in cells, "agree on the 2 yes/no items of 17"
    result, _ = grading.compute(session=session, campaign=campaign)
    service = result.component("service")
    assert service is not None and service.n == 1 and service.score is not None


def test_cancelled_visit_keeps_what_is_sent_with_409(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-management-audit"], "open", [users["f1"]])
    f1 = as_user(settings, "f1")
    token = csrf_of(f1, "/f")
    f1.post(f"/f/v/{visit}/checkin", data={"_csrf": token})
    assert (
        lead.post(
            f"/c/V-1/visits/{visit}/cancel", data={"_csrf": csrf_of(lead), "reason": "改期"}
        ).status_code
        == 303
    )
    late = f1.post(f"/f/v/{visit}/step/0", data={"_csrf": token, "a.m01": "3", "note": "已到现场"})
    assert late.status_code == 409 and "取消" in late.text
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    session.refresh(sheet)
    assert sheet.answers == {"m01": 3} and sheet.after_cancel, "kept for the lead auditor"


def test_evidence_flags_access_and_bad_files(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    first = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"], users["f2"]])
    second = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f3"]])
    f1, f2, f3 = as_user(settings, "f1"), as_user(settings, "f2"), as_user(settings, "f3")
    token = csrf_of(f1, "/f")
    f1.post(f"/f/v/{first}/checkin", data={"_csrf": token})
    photo = scene(1, when="2020:01:01 09:00:00")
    sent = f1.post(
        f"/f/v/{first}/photo",
        data={"_csrf": token, "caption": "地下室墙面"},
        files={"photo": ("a.jpg", photo, "image/jpeg")},
    )
    assert sent.status_code == 303
    again = f1.post(
        f"/f/v/{first}/photo", data={"_csrf": token}, files={"photo": ("a.jpg", photo, "image/jpeg")}
    )
    assert again.status_code == 303
    rows = session.exec(select(Evidence)).all()
    assert len(rows) == 1, "the same file on the same sheet is stored once"
    assert [f["code"] for f in rows[0].flags] == ["exif_outside_window"]
    resized = Image.open(io.BytesIO(photo)).resize((450, 350))
    buffer = io.BytesIO()
    resized.save(buffer, "JPEG", quality=50)
    token3 = csrf_of(f3, "/f")
    f3.post(f"/f/v/{second}/checkin", data={"_csrf": token3})
    reused = f3.post(
        f"/f/v/{second}/photo",
        data={"_csrf": token3},
        files={"photo": ("b.jpg", buffer.getvalue(), "image/jpeg")},
    )
    assert reused.status_code == 303
    latest = session.exec(select(Evidence).order_by(col(Evidence.id).desc())).first()
    assert latest is not None and [f["code"] for f in latest.flags] == ["photo_reused"]
    text = f1.post(
        f"/f/v/{first}/photo",
        data={"_csrf": token},
        files={"photo": ("x.jpg", b"not an image", "image/jpeg")},
    )
    assert text.status_code == 422 and "不是图片" in text.text or "照片" in text.text
    huge = f1.post(
        f"/f/v/{first}/photo",
        data={"_csrf": token},
        files={"photo": ("big.jpg", b"\xff" * (16 * 1024 * 1024 + 10), "image/jpeg")},
    )
    assert huge.status_code == 413
    sheet = session.exec(
        select(Sheet).where(Sheet.visit_id == first, Sheet.auditor_id == users["f1"].id)
    ).one()
    session.refresh(sheet)
    assert sheet.checkin_at is not None, "the rest of the visit is kept"
    url = f"/f/e/{rows[0].id}/thumb"
    assert f1.get(url).status_code == 200 and lead.get(url).status_code == 200
    assert f2.get(url).status_code == 403, "the co-rater sees it only once both have submitted"
    assert f3.get(url).status_code == 403
    detail = lead.get(f"/c/V-1/visits/{first}").text
    assert "2020-01-01 09:00:00" in detail and "拍摄时间不在" in detail or "visit window" in detail


def test_interviews_are_responses_with_channel_and_auditor(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(
        lead, "V-1", ids["property-resident-survey"], "interview", [users["f1"]], loc=locations[1].id
    )
    f1 = as_user(settings, "f1")
    page = f1.get(f"/f/v/{visit}/interview")
    assert page.status_code == 200
    import re

    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert key
    forged = {"_csrf": csrf_of(f1, "/f"), "key": "iv-made-up", "channel": "phone"}
    assert f1.post(f"/f/v/{visit}/interview", data=forged).status_code == 422, "a key must be one we issued"
    answers = {f"a.q{i:02d}": "4" for i in range(1, 22)}
    form = {
        "_csrf": csrf_of(f1, "/f"),
        "key": key.group(1),
        "channel": "offline",
        "location": str(locations[1].id),
        **answers,
    }
    no_tick = f1.post(f"/f/v/{visit}/interview", data=form)
    assert no_tick.status_code == 422 and 'value="4" checked' in no_tick.text, "answers kept"
    form["no_staff"] = "yes"
    assert f1.post(f"/f/v/{visit}/interview", data=form).status_code == 303
    assert f1.post(f"/f/v/{visit}/interview", data=form).status_code == 303, "a resend is stored once"
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).all()
    assert len(rows) == 1
    assert (rows[0].channel, rows[0].auditor_id, rows[0].meta["no_staff_present"]) == (
        "offline",
        users["f1"].id,
        True,
    )
    assert rows[0].location_id == locations[1].id


def test_interviews_are_scored_per_channel_without_device_signals(
    session: Session, settings: Settings
) -> None:
    import random

    from survey_app.services.intake import interviews
    from survey_app.services.review.contacts import ContactCipher
    from survey_app.services.scoring import verdicts

    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit_id = schedule(lead, "V-1", ids["property-resident-survey"], "interview", [users["f1"]])
    visit = session.get(Visit, visit_id)
    assert visit is not None
    rng = random.Random(4)
    start = utcnow() - timedelta(hours=3)
    for n in range(verdicts.MIN_CHANNEL_FIT + 5):
        straight = n == 7
        values = {f"q{i:02d}": 5 if straight else rng.choice((3, 4, 4, 5)) for i in range(1, 22)}
        interviews.record(
            session=session,
            campaign=campaign,
            visit=visit,
            auditor=users["f1"],
            values=values,
            channel="offline",
            location_id=locations[n % 3].id,
            key=f"iv-test-{n}",
            started_at=start + timedelta(minutes=6 * n),
            cipher=ContactCipher(settings.data_key),
            user_agent="phone",
        )
    session.commit()
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.channel == "offline")).all()
    for row in rows:  # as entered: one after another, every few minutes
        row.submitted_at = (row.started_at or start) + timedelta(minutes=5)
        session.add(row)
    session.commit()
    assert verdicts.score_pending(session=session, campaign=campaign) == len(rows)
    session.commit()
    scored = session.exec(select(SurveyResponse).where(SurveyResponse.channel == "offline")).all()
    assert all(r.fraud_score is not None for r in scored)
    assert not any("device" in r.fraud_families or "network" in r.fraud_families for r in scored), (
        "one auditor's phone enters every interview: no same-device signal"
    )
    assert max(scored, key=lambda r: r.fraud_score or 0).answers["q01"] == 5
