"""Low-score follow-up: recommendations with the extra sample needed, and on-site verification tasks."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select
from starlette.testclient import TestClient

from grading.codes import encode
from survey_app.models import AuditLog, InstrumentVersion, SurveyResponse, VerificationTask
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.grades import followup
from tests.factories import add_member, csrf_of, login, make_campaign, make_user


def test_low_items_are_recommended_for_follow_up_and_tasks_are_recorded(
    client: TestClient, session: Session
) -> None:
    campaign, locations = make_campaign(session, code="LOW-1", locations=3)
    instrument = materialise(session.get(InstrumentVersion, campaign.survey_instrument_id))
    for n in range(60):
        loc = locations[n % 3]
        answers = {f"q{i:02d}": 4 for i in range(1, 22)}
        answers["q21"] = 2
        answers["q07"] = (
            1 if loc.code == "L01" else (2 if n % 2 else 3)
        )  # lifts: low everywhere, worst at L01
        session.add(
            SurveyResponse(
                public_id=f"r-{uuid.uuid4().hex[:10]}",
                idempotency_key=uuid.uuid4().hex,
                campaign_id=campaign.id or 0,
                location_id=loc.id,
                instrument_version_id=campaign.survey_instrument_id,
                answers=answers,
                answer_codes=encode(instrument, answers),
            )
        )
    session.commit()
    recs = followup.recommendations(session=session, campaign=campaign)
    assert [r.item_id for r in recs] == ["q07"]
    assert recs[0].locations[0].code == "L01" and recs[0].locations[0].score == 0
    assert recs[0].locations[0].extra == 0, "all 20 answered the same: the margin is already met there"
    assert recs[0].locations[1].extra > 0, "mixed answers need a bigger sample for a +/-5 point interval"
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    page = client.get("/c/LOW-1")
    assert "低分跟进" in page.text and "q07" in page.text
    form = {
        "_csrf": csrf_of(client),
        "what": "现场核实电梯维修",
        "location_code": "L01",
        "assigned_to": str(lead.id),
    }
    assert client.post("/c/LOW-1/tasks", data=form).status_code == 303
    task = session.exec(select(VerificationTask)).one()
    assert (task.status, task.location_code, task.assigned_to) == ("open", "L01", lead.id)
    bad = client.post(f"/c/LOW-1/tasks/{task.id}", data={"_csrf": csrf_of(client), "result": "maybe"})
    assert bad.status_code == 422
    done = {"_csrf": csrf_of(client), "result": "confirmed", "note": "3号梯停运两周"}
    assert client.post(f"/c/LOW-1/tasks/{task.id}", data=done).status_code == 303
    session.refresh(task)
    assert task.status == "confirmed" and task.closed_at is not None
    actions = session.exec(select(AuditLog.action).where(AuditLog.campaign_id == campaign.id)).all()
    assert "task.open" in actions and "task.result" in actions
