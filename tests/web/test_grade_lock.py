"""Locking says exactly what it locks; a result without a tier is locked only as "no certificate"; a grade
that changed after the confirmation page was shown is not locked unseen (issue 23)."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app import keyring
from survey_app.models import AuditLog, Campaign, GradeSnapshot, Location
from survey_app.services.grades import certificates, locks
from tests.conftest import CliRun, form_token, survey_path
from tests.factories import (
    add_member,
    csrf_of,
    full_answers,
    logged_in_lead,
    login,
    make_user,
    seed_graded_demo,
)


def _lead_of_demo(client: TestClient, session: Session) -> Campaign:
    campaign, _locations = seed_graded_demo(session)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    return campaign


def _expected(page: str) -> str:
    found = re.search(r'name="expected" value="([0-9a-f]+)"', page)
    assert found, "the confirmation carries the fingerprint of what it shows"
    return found.group(1)


def _snapshots(session: Session) -> list[GradeSnapshot]:
    session.expire_all()
    return list(session.exec(select(GradeSnapshot)))


def test_the_confirmation_states_what_will_be_locked(client: TestClient, session: Session) -> None:
    campaign = _lead_of_demo(client, session)
    page = client.get(f"/c/{campaign.code}/report/lock")
    assert page.status_code == 200
    text = page.text
    assert "将颁发证书" in text or "A certificate will be issued" in text
    for fact in ("结果", "等级", "计入统计的问卷", "不计入的问卷", "缺少数据的部分"):
        assert fact in text, fact
    assert 'name="no_certificate"' not in text, "a certified result needs no tick"
    locked = client.post(
        f"/c/{campaign.code}/report/lock", data={"_csrf": csrf_of(client), "expected": _expected(text)}
    )
    assert locked.status_code == 303
    [snapshot] = _snapshots(session)
    assert snapshot.certificate_number and snapshot.certificate_token
    assert snapshot.checkpoint.startswith("mingcha audit checkpoint v1")
    assert client.get(f"/c/{campaign.code}/report/lock").text.count('name="expected"') == 0


def test_a_grade_that_changed_after_the_page_is_not_locked_unseen(
    client: TestClient, session: Session
) -> None:
    campaign = _lead_of_demo(client, session)
    shown = _expected(client.get(f"/c/{campaign.code}/report/lock").text)
    location = campaign_location(session, campaign)
    resident = TestClient(client.app, follow_redirects=False)
    path = survey_path(location)
    sent = resident.post(
        path, data={"_form": form_token(resident.get(path).text), "_step": "submit", **full_answers("4")}
    )
    assert sent.status_code == 303
    refused = client.post(
        f"/c/{campaign.code}/report/lock", data={"_csrf": csrf_of(client), "expected": shown}
    )
    assert refused.status_code == 409 and "评分" in refused.text
    assert not _snapshots(session)


def campaign_location(session: Session, campaign: Campaign) -> Location:
    found = session.exec(select(Location).where(Location.campaign_id == campaign.id)).first()
    assert found is not None
    return found


def test_a_result_without_a_tier_is_locked_only_as_no_certificate(
    client: TestClient,
    session: Session,
    cli: CliRun,
) -> None:
    campaign, _locations = logged_in_lead(client, session, code="NONE-1")
    page = client.get(f"/c/{campaign.code}/report/lock")
    assert page.status_code == 200
    assert "不颁发证书" in page.text and 'name="no_certificate"' in page.text and "required" in page.text
    expected = _expected(page.text)

    blind = client.post(
        f"/c/{campaign.code}/report/lock", data={"_csrf": csrf_of(client), "expected": expected}
    )
    assert blind.status_code == 422 and "不颁发证书" in blind.text
    assert not _snapshots(session)
    code, printed = cli("grade", "--campaign", campaign.code, "--lock")
    assert code == 2 and "--no-certificate" in printed, "the command says how to lock it as such"
    assert not _snapshots(session)

    said = {"_csrf": csrf_of(client), "expected": expected, "no_certificate": "yes"}
    assert client.post(f"/c/{campaign.code}/report/lock", data=said).status_code == 303
    [snapshot] = _snapshots(session)
    assert snapshot.certificate_token is None and not snapshot.certificate_number and not snapshot.status_jws
    checked = certificates.verify_jws(snapshot.certificate_jws, keyring.active().verifiers())
    assert checked.valid and checked.payload["certificate"]["number"] is None
    assert checked.payload["result"]["tier"] is None
    row = session.exec(select(AuditLog).where(AuditLog.action == "grade.lock")).one()
    assert row.detail["certificate"] == ""
    assert locks.is_locked(session=session, campaign=campaign)
