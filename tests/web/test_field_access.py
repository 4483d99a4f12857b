"""Access that ends stays ended: an auditor taken off a campaign loses its visits, photos and interviews at
once (their open sheets cancelled, kept and marked); a closed or locked campaign records no more field work
(issue 24, finding 2)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, col, func, select

from survey_app.clock import utcnow
from survey_app.models import AuditLog, Campaign, Sheet, SurveyResponse, Visit
from survey_app.services.campaigns.lifecycle import assign_field_auditors
from survey_app.services.grades import locks
from survey_app.settings import Settings
from tests.factories import csrf_of
from tests.web.field_work import as_user, fill_sheet, scene, schedule, setup


def _interview_form(client_page: str, token: str, location: int) -> dict[str, str]:
    key = re.search(r'name="key" value="([^"]+)"', client_page)
    assert key
    return {
        "_csrf": token,
        "key": key.group(1),
        "channel": "offline",
        "location": str(location),
        "no_staff": "yes",
        **{f"a.q{i:02d}": "4" for i in range(1, 22)},
    }


def _responses(session: Session, campaign: Campaign) -> int:
    query = select(func.count()).select_from(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)
    return int(session.exec(query).one())


def test_an_auditor_taken_off_the_team_loses_visits_photos_and_interviews(
    session: Session, settings: Settings
) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    covert = schedule(lead, "V-1", ids["property-open-evaluation"], "covert", [users["f1"]])
    interview = schedule(
        lead, "V-1", ids["property-resident-survey"], "interview", [users["f1"]], loc=locations[0].id
    )
    f1 = as_user(settings, "f1")
    token = csrf_of(f1, "/f")
    assert f1.post(f"/f/v/{covert}/checkin", data={"_csrf": token}).status_code == 303
    upload = f1.post(
        f"/f/v/{covert}/photo", data={"_csrf": token}, files={"photo": ("a.jpg", scene(1), "image/jpeg")}
    )
    assert upload.status_code == 303
    evidence_id = int(re.findall(r"/f/e/(\d+)/thumb", f1.get(f"/f/v/{covert}").text)[0])
    assert f1.get(f"/f/e/{evidence_id}/original").status_code == 200
    page = f1.get(f"/f/v/{interview}/interview").text

    # the lead takes f1 off the team (the campaign's edit form goes through this door) and closes it
    assign_field_auditors(
        session=session, campaign=campaign, user_ids=[users["f2"].id or 0, users["f3"].id or 0], actor="lead1"
    )
    session.commit()
    assert lead.post("/c/V-1/close", data={"_csrf": csrf_of(lead)}).status_code == 303

    assert f1.get(f"/f/v/{covert}").status_code == 403
    assert "不再" in f1.get(f"/f/v/{covert}").text
    assert f1.get(f"/f/e/{evidence_id}/original").status_code == 403
    assert f1.post(f"/f/v/{covert}/checkout", data={"_csrf": token}).status_code == 403
    again = f1.post(
        f"/f/v/{covert}/photo", data={"_csrf": token}, files={"photo": ("b.jpg", scene(2), "image/jpeg")}
    )
    assert again.status_code == 403
    before = _responses(session, campaign)
    refused = f1.post(f"/f/v/{interview}/interview", data=_interview_form(page, token, locations[0].id or 0))
    assert refused.status_code == 403
    assert _responses(session, campaign) == before
    assert f"/f/v/{covert}" not in f1.get("/f").text, "the visit left their list"

    session.expire_all()
    sheets = session.exec(select(Sheet).where(Sheet.auditor_id == users["f1"].id)).all()
    assert sheets and all(s.cancelled_at is not None for s in sheets), "kept and marked"
    assert session.get(Visit, covert).status == "cancelled"  # type: ignore[union-attr]
    actions = [row.action for row in session.exec(select(AuditLog).order_by(col(AuditLog.id)))]
    assert actions.count("sheet.cancel") == 2 and "member.remove" in actions
    detail = lead.get(f"/c/V-1/visits/{covert}").text
    assert "离开了项目团队" in detail, "the lead sees why"
    # the lead still opens the evidence
    assert lead.get(f"/f/e/{evidence_id}/original").status_code == 200


def test_a_two_rater_visit_goes_on_with_the_rater_who_stays(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"], users["f2"]])
    f1, f2 = as_user(settings, "f1"), as_user(settings, "f2")
    for client in (f1, f2):
        client.post(f"/f/v/{visit}/checkin", data={"_csrf": csrf_of(client, "/f")})
    fill_sheet(f1, visit, "4")
    assert f1.post(f"/f/v/{visit}/submit", data={"_csrf": csrf_of(f1, "/f"), "key": "a"}).status_code == 303
    assign_field_auditors(session=session, campaign=campaign, user_ids=[users["f1"].id or 0], actor="lead1")
    session.commit()
    session.expire_all()
    row = session.get(Visit, visit)
    assert row is not None and row.status == "final", "the remaining rater's submitted sheet is the score"
    assert row.final_answers is not None and row.final_answers["e01"] == 4
    assert f2.get(f"/f/v/{visit}").status_code == 403


def test_a_closed_or_locked_campaign_records_no_more_field_work(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    interview = schedule(
        lead, "V-1", ids["property-resident-survey"], "interview", [users["f1"]], loc=locations[0].id
    )
    covert = schedule(lead, "V-1", ids["property-open-evaluation"], "covert", [users["f2"]])
    f1, f2 = as_user(settings, "f1"), as_user(settings, "f2")
    page = f1.get(f"/f/v/{interview}/interview").text
    form = _interview_form(page, csrf_of(f1, "/f"), locations[0].id or 0)
    assert lead.post("/c/V-1/close", data={"_csrf": csrf_of(lead)}).status_code == 303
    before = _responses(session, campaign)
    refused = f1.post(f"/f/v/{interview}/interview", data=form)
    assert refused.status_code == 409 and "不再记录" in refused.text
    assert _responses(session, campaign) == before, "nothing stored in a closed campaign"
    assert f2.post(f"/f/v/{covert}/checkin", data={"_csrf": csrf_of(f2, "/f")}).status_code == 409

    # an interview taken before the close, sent later from the phone's outbox, still counts
    session.expire_all()
    closed = session.get(Campaign, campaign.id)
    assert closed is not None and closed.closed_at is not None
    waited = int((utcnow() - closed.closed_at.replace(tzinfo=closed.closed_at.tzinfo)).total_seconds() * 1000)
    queued = {
        "X-Queued-Ms": str(waited + 60_000),
        "X-Idempotency-Key": "k" * 20,
        "Sec-Fetch-Site": "same-origin",
    }
    late = f1.post(f"/f/v/{interview}/interview", data=form, headers=queued)
    assert late.status_code == 303
    assert _responses(session, campaign) == before + 1

    # locked: nothing more, whenever it was captured
    assert lead.post("/c/V-1/reopen", data={"_csrf": csrf_of(lead), "reason": "补访"}).status_code == 303
    session.expire_all()
    reopened = session.get(Campaign, campaign.id)
    assert reopened is not None
    locks.lock(session=session, campaign=reopened, actor="lead1", no_certificate=True)
    session.commit()
    assert f2.post(f"/f/v/{covert}/checkin", data={"_csrf": csrf_of(f2, "/f")}).status_code == 409
    assert reopened.deadline > utcnow() - timedelta(days=1)
