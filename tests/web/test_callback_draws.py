"""The callback sample is drawn once: a further draw needs its confirmation page, a reason and the lead
auditor's name; earlier draws keep their picks, calls and outcomes; the summary lists every draw and judges
the model on the first; no draw once the grade is locked (issue 23)."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.models import CallbackDraw, CallbackPick, Campaign, SurveyResponse
from survey_app.services.grades import locks
from survey_app.services.review import callbacks
from survey_app.services.review.summary import summary
from tests.conftest import CliRun
from tests.factories import add_member, csrf_of, login, make_user, seed_graded_demo

CODE = "WYW1-2026"


def _demo_with_lead(client: TestClient, session: Session) -> int:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    lead.display_name = "王审"
    session.add(lead)
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    session.commit()
    login(client, "lead1")
    return campaign.id or 0


def _picks(session: Session, campaign_id: int) -> list[CallbackPick]:
    session.expire_all()
    query = select(CallbackPick).where(CallbackPick.campaign_id == campaign_id).order_by(col(CallbackPick.id))
    return list(session.exec(query))


def _draws(session: Session, campaign_id: int) -> list[CallbackDraw]:
    session.expire_all()
    query = (
        select(CallbackDraw).where(CallbackDraw.campaign_id == campaign_id).order_by(col(CallbackDraw.number))
    )
    return list(session.exec(query))


def test_a_further_draw_is_confirmed_reasoned_signed_and_keeps_the_first(
    client: TestClient, session: Session
) -> None:
    campaign_id = _demo_with_lead(client, session)
    first = client.post(f"/c/{CODE}/review/draw", data={"_csrf": csrf_of(client)})
    assert first.status_code == 303 and "/jobs/" in first.headers["location"]
    client.get(first.headers["location"])
    picked = _picks(session, campaign_id)
    assert picked and len(_draws(session, campaign_id)) == 1
    # six calls on the first draw: two reached and genuine, one fake, three not reached
    outcomes = ["confirmed", "confirmed", "denies", "unreachable", "unreachable", "refused"]
    for pick, outcome in zip(picked, outcomes, strict=False):
        response = session.get(SurveyResponse, pick.response_id)
        assert response is not None
        callbacks.record_attempt(session=session, response=response, outcome=outcome, note="", actor="lead1")
    session.commit()
    page = client.get(f"/c/{CODE}/review")
    assert "第一次抽取" in page.text or "first draw" in page.text

    # one click does not draw again: it leads to the confirmation page, and nothing is drawn
    again = client.post(f"/c/{CODE}/review/draw", data={"_csrf": csrf_of(client)})
    assert again.status_code == 303 and again.headers["location"].endswith(f"/c/{CODE}/review/draw")
    confirm = client.get(again.headers["location"])
    assert confirm.status_code == 200 and 'name="reason"' in confirm.text and 'name="name"' in confirm.text
    assert str(_draws(session, campaign_id)[0].seed) in confirm.text, "it lists the draws so far"
    assert len(_draws(session, campaign_id)) == 1

    bad = [
        ({"redraw": "yes", "reason": "", "name": "lead1"}, "reason"),
        ({"redraw": "yes", "reason": "新增答卷", "name": ""}, "name"),
        ({"redraw": "yes", "reason": "新增答卷", "name": "someone else"}, "name"),
    ]
    for data, _what in bad:
        refused = client.post(f"/c/{CODE}/review/draw", data={"_csrf": csrf_of(client), **data})
        assert refused.status_code == 422 and 'role="alert"' in refused.text
        assert "新增答卷" in refused.text or not data["reason"], "what was typed is kept"
    assert len(_draws(session, campaign_id)) == 1 and len(_picks(session, campaign_id)) == len(picked)

    further = {"_csrf": csrf_of(client), "redraw": "yes", "reason": "补抽：本周新增答卷", "name": "王审"}
    drawn = client.post(f"/c/{CODE}/review/draw", data=further)
    assert drawn.status_code == 303 and "/jobs/" in drawn.headers["location"]
    client.get(drawn.headers["location"])
    draws = _draws(session, campaign_id)
    assert [d.number for d in draws] == [1, 2] and draws[1].reason == "补抽：本周新增答卷"
    assert draws[1].actor == "lead1"
    after = _picks(session, campaign_id)
    assert [p.id for p in after[: len(picked)]] == [p.id for p in picked], "the first draw's picks stay"
    new_ids = {p.response_id for p in after[len(picked) :]}
    assert new_ids and not new_ids & {p.response_id for p in picked}, "a further draw adds unpicked ones"

    desk = client.get(f"/c/{CODE}/review").text
    assert "补抽：本周新增答卷" in desk and str(draws[1].seed) in desk
    assert desk.count('class="draws"') == 1
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    with_summary = summary(session=session, campaign=campaign)
    assert with_summary.called == 6 and with_summary.reached == 3 and with_summary.denied == 1
    assert with_summary.fraud == with_summary.draws[0].fraud, "precision is judged on the first draw"
    assert with_summary.draws[1].called == 0


def test_no_draw_once_the_grade_is_locked(client: TestClient, session: Session, cli: CliRun) -> None:
    campaign_id = _demo_with_lead(client, session)
    client.get(client.post(f"/c/{CODE}/review/draw", data={"_csrf": csrf_of(client)}).headers["location"])
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    locks.lock(session=session, campaign=campaign, actor="lead1")
    session.commit()
    before = len(_picks(session, campaign_id))
    confirm = client.get(f"/c/{CODE}/review/draw")
    assert confirm.status_code == 200 and 'name="reason"' not in confirm.text
    further = {"_csrf": csrf_of(client), "redraw": "yes", "reason": "补抽", "name": "lead1"}
    refused = client.post(f"/c/{CODE}/review/draw", data=further)
    assert refused.status_code in (409, 422, 423)
    assert (
        cli("draw-callbacks", "--campaign", CODE, "--seed", "4", "--reason", "补抽", "--by", "lead1")[0] == 2
    )
    assert len(_picks(session, campaign_id)) == before and len(_draws(session, campaign_id)) == 1


def test_the_command_line_draws_once_then_needs_a_reason_and_a_name(session: Session, cli: CliRun) -> None:
    campaign, _locations = seed_graded_demo(session)
    assert cli("draw-callbacks", "--campaign", CODE, "--seed", "3")[0] == 0
    assert cli("draw-callbacks", "--campaign", CODE, "--seed", "4")[0] == 2
    code, err = cli("draw-callbacks", "--campaign", CODE, "--seed", "4", "--reason", "补抽")
    assert code == 2
    assert "--by" in err
    assert (
        cli("draw-callbacks", "--campaign", CODE, "--seed", "4", "--reason", "补抽", "--by", "王审")[0] == 0
    )
    draws = _draws(session, campaign.id or 0)
    assert [(d.number, d.actor, d.reason) for d in draws] == [(1, "cli", ""), (2, "王审", "补抽")]
