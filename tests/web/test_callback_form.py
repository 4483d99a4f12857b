"""Calling back in one step: the call and what it decides on one form, the decision following the outcome
by default, the number a tel: link, and every refusal back on the form with what was typed kept."""

from __future__ import annotations

import re

import httpx2
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from survey_app.models import AuditLog, CallbackAttempt, Campaign, ResponseStatus, SurveyResponse
from tests.factories import csrf_of

S = ResponseStatus


def waiting(session: Session, n: int) -> list[SurveyResponse]:
    """Responses nobody has called yet, still waiting for a decision."""
    called = select(CallbackAttempt.response_id)
    rows = session.exec(
        select(SurveyResponse)
        .where(col(SurveyResponse.status).in_([S.RECEIVED, S.FLAGGED, S.CALLBACK_DUE]))
        .where(col(SurveyResponse.id).not_in(called))
        .order_by(col(SurveyResponse.id))
        .limit(n)
    ).all()
    assert len(rows) == n
    return list(rows)


def call(client: TestClient, receipt: str, **fields: str) -> httpx2.Response:
    data = {"_csrf": csrf_of(client), **fields}
    return client.post(f"/c/WYW1-2026/r/{receipt}/callback", data=data)


def status_of(session: Session, row: SurveyResponse) -> str:
    found = session.get(SurveyResponse, row.id)
    assert found is not None
    return found.status


def attempts(session: Session, response: SurveyResponse) -> int:
    query = (
        select(func.count()).select_from(CallbackAttempt).where(CallbackAttempt.response_id == response.id)
    )
    return int(session.exec(query).one())


def test_the_decision_follows_the_outcome(client: TestClient, session: Session, desk: Campaign) -> None:
    confirmed, denied, unreachable, wrong = waiting(session, 4)
    for row, outcome in ((confirmed, "confirmed"), (denied, "denies"), (unreachable, "unreachable")):
        response = call(client, row.public_id, outcome=outcome, decision="follow", note="", reason="")
        assert response.status_code == 303, outcome
    session.expire_all()
    assert status_of(session, confirmed) == S.VERIFIED
    assert status_of(session, denied) == S.REJECTED
    waiting_status = status_of(session, unreachable)
    assert waiting_status in (S.CALLBACK_DUE, unreachable.status), "an unanswered phone decides nothing"
    reason = session.exec(
        select(AuditLog.reason).where(
            AuditLog.subject == f"response:{denied.public_id}", AuditLog.new == S.REJECTED
        )
    ).one()
    assert reason == "回访时受访者否认本人填写。", "a denial is excluded with the reason filled in"
    page = client.get(f"/c/WYW1-2026/r/{confirmed.public_id}").text
    assert "记录了一次回访电话" in page and "callback.attempt" not in page and "fraud-model" not in page
    # the lead auditor can still choose otherwise: a wrong number, excluded on purpose with a reason
    chosen = call(
        client, wrong.public_id, outcome="wrong_number", decision="exclude", reason="号码与答卷不符"
    )
    assert chosen.status_code == 303
    session.expire_all()
    assert status_of(session, wrong) == S.REJECTED


def test_a_refusal_comes_back_on_the_form_and_records_nothing(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    (row,) = waiting(session, 1)
    before = session.exec(select(func.count()).select_from(AuditLog)).one()
    refused = call(client, row.public_id, outcome="refused", decision="exclude", note="说正在开车", reason="")
    assert refused.status_code == 422
    text = refused.text
    assert "请写明理由" in text and 'class="staffnav"' in text, "the response's own page, with the menu"
    assert "说正在开车" in text and re.search(r'value="refused"[^>]*checked', text), "what was typed is kept"
    assert "错误代码" not in text
    assert attempts(session, row) == 0, "no half: the call is not stored without its decision"
    assert session.exec(select(func.count()).select_from(AuditLog)).one() == before
    bad_time = call(client, row.public_id, outcome="confirmed", called_at="明天", note="n")
    assert bad_time.status_code == 422 and "n</textarea>" in bad_time.text
    excluded = client.post(
        f"/c/WYW1-2026/r/{row.public_id}/decide",
        data={"_csrf": csrf_of(client), "decision": "exclude", "reason": ""},
    )
    assert excluded.status_code == 422 and 'id="decide-problem"' in excluded.text
    assert 'value="exclude" checked' in excluded.text, "the chosen decision is kept"


def test_no_outcome_is_chosen_for_the_lead(client: TestClient, session: Session, desk: Campaign) -> None:
    (row,) = waiting(session, 1)
    page = client.get(f"/c/WYW1-2026/r/{row.public_id}").text
    form = page[page.index('id="call-form"') : page.index("</form>", page.index('id="call-form"'))]
    assert not re.search(r'name="outcome"[^>]*checked', form), "nothing is confirmed unless someone says so"
    assert re.search(r'name="decision" value="follow" checked', form)
    nothing = call(client, row.public_id, decision="follow")
    assert nothing.status_code == 422 and attempts(session, row) == 0


def test_the_revealed_number_is_a_tel_link(client: TestClient, session: Session, desk: Campaign) -> None:
    row = session.exec(
        select(SurveyResponse).where(
            col(SurveyResponse.contact_phone).is_not(None), SurveyResponse.contact_consent
        )
    ).first()
    assert row is not None
    shown = client.post(f"/c/WYW1-2026/r/{row.public_id}/reveal", data={"_csrf": csrf_of(client)})
    assert shown.status_code == 200
    match = re.search(r'href="tel:(\+?\d{6,15})"', shown.text)
    assert match and match.group(1) in shown.text.replace(" ", "").replace("-", "")
