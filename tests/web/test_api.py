"""The read API: tokens (missing, wrong, revoked, out of scope), no phone number in any body, stable paging,
the JSONL stream, rate limits, the CLI and the staff page that make tokens, and a schemathesis run of the
OpenAPI description against the app."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis.specs.openapi.checks import ignored_auth
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.models import ApiToken, Campaign, SurveyResponse, User
from survey_app.services.api import tokens
from survey_app.services.api.openapi import openapi
from survey_app.services.review import status
from survey_app.services.review.contacts import ContactCipher
from survey_app.settings import Settings
from tests.factories import add_member, csrf_of, login, make_campaign, make_user

PHONE = "13912345678"


def seed(session: Session, settings: Settings) -> tuple[Campaign, User, str, ApiToken]:
    campaign, locations = make_campaign(session, code="API-1", locations=2)
    other, _ = make_campaign(session, code="API-2", locations=1)
    lead = make_user(session, "lead1", ["lead"])
    for c in (campaign, other):
        add_member(session=session, campaign_id=c.id, user_id=lead.id, role="lead")
    cipher = ContactCipher(settings.data_key)
    for n in range(25):
        session.add(
            SurveyResponse(
                public_id=f"r-api{n:03d}",
                idempotency_key=uuid.uuid4().hex,
                campaign_id=campaign.id or 0,
                location_id=locations[n % 2].id,
                instrument_version_id=campaign.survey_instrument_id,
                answers={"q01": 4, "q02": 5},
                comment=f"请回电 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}" if n == 3 else "",
                contact_consent=True,
                contact_phone=cipher.encrypt(PHONE),
                fraud_score=0.1 * (n % 7),
                fraud_reasons=[{"zh": "测试", "en": "test"}],
                fraud_families=",timing,",
            )
        )
    session.commit()
    scoped, token = tokens.create(
        session=session, user=lead, name="bi", campaign_codes=["API-1"], actor="test"
    )
    session.commit()
    return campaign, lead, token, scoped


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_missing_wrong_revoked_out_of_scope(
    client: TestClient, session: Session, settings: Settings
) -> None:
    campaign, lead, token, row = seed(session, settings)
    missing = client.get("/api/v1/campaigns")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "api_token_missing"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.get("/api/v1/campaigns", headers=bearer("mc_" + "x" * 43))
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "api_token_invalid"
    ok = client.get("/api/v1/campaigns", headers=bearer(token))
    assert ok.status_code == 200 and [c["code"] for c in ok.json()["items"]] == ["API-1"]
    outside = client.get("/api/v1/campaigns/API-2", headers=bearer(token))
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "campaign_not_found"
    nowhere = client.get("/api/v1/campaigns/NOPE", headers=bearer(token))
    assert nowhere.json() == outside.json(), "out of scope answers like a campaign that does not exist"
    session.refresh(row)
    assert row.last_used_at is not None, "last use recorded"
    tokens.revoke(session=session, token_id=row.id or 0, user=lead, actor="test")
    session.commit()
    revoked = client.get("/api/v1/campaigns", headers=bearer(token))
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "api_token_invalid"
    assert session.exec(select(ApiToken)).one().token_hash != token, "stored hashed"


def test_no_phone_number_in_any_body(client: TestClient, session: Session, settings: Settings) -> None:
    _campaign, _lead, token, _row = seed(session, settings)
    paths = [
        "/api/v1/campaigns",
        "/api/v1/campaigns/API-1",
        "/api/v1/campaigns/API-1/locations",
        "/api/v1/campaigns/API-1/responses?limit=1000",
        "/api/v1/campaigns/API-1/responses.jsonl",
        "/api/v1/campaigns/API-1/callbacks",
        "/api/v1/campaigns/API-1/grade",
    ]
    bodies = []
    for path in paths:
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 200, path
        bodies.append(response.text)
    text = "\n".join(bodies)
    digits = re.sub(r"\D", "", text.replace("\n", " "))
    assert PHONE not in digits and "1234" + "5678" not in text
    assert "号码已隐去" in text, "a number typed into a comment is masked"
    assert '"contact_given":true' in text.replace(" ", ""), "that a number was left is said, not the number"


def test_paging_is_stable_under_concurrent_inserts(
    client: TestClient, session: Session, settings: Settings
) -> None:
    campaign, _lead, token, _row = seed(session, settings)
    seen: list[str] = []
    after = "0"
    pages = 0
    while after is not None:
        page = client.get(
            f"/api/v1/campaigns/API-1/responses?limit=7&after={after}", headers=bearer(token)
        ).json()
        seen += [item["receipt"] for item in page["items"]]
        pages += 1
        if pages == 2:  # new responses arrive while a client pages
            for n in range(5):
                session.add(
                    SurveyResponse(
                        public_id=f"r-late{n}",
                        idempotency_key=uuid.uuid4().hex,
                        campaign_id=campaign.id or 0,
                        instrument_version_id=campaign.survey_instrument_id,
                        answers={},
                    )
                )
            session.commit()
        after = page["next"]
    assert len(seen) == len(set(seen)) == 30, "none twice, none skipped, the new ones at the end"
    assert seen[-5:] == [f"r-late{n}" for n in range(5)]
    bad = client.get("/api/v1/campaigns/API-1/responses?limit=0", headers=bearer(token))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_cursor"
    lines = client.get("/api/v1/campaigns/API-1/responses.jsonl", headers=bearer(token)).text.splitlines()
    assert len(lines) == 30 and all(line.startswith('{"id":') for line in lines)


def test_rate_limit_per_token(session: Session, settings: Settings) -> None:
    _campaign, _lead, token, _row = seed(session, settings)
    with TestClient(create_app(replace(settings, api_rate="3/minute"))) as client:
        codes = [client.get("/api/v1/campaigns", headers=bearer(token)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        last = client.get("/api/v1/campaigns", headers=bearer(token))
        assert last.json()["error"]["code"] == "rate_limited" and int(last.headers["retry-after"]) >= 1


def test_staff_page_shows_a_token_once_and_revokes_it(
    client: TestClient, session: Session, settings: Settings
) -> None:
    seed(session, settings)
    login(client, "lead1")
    page = client.post(
        "/users/lead1/tokens", data={"_csrf": csrf_of(client), "name": "看板", "campaigns": ["API-1"]}
    )
    assert page.status_code == 200
    token = re.search(r'id="new-token">(mc_[^<]+)<', page.text)
    assert token
    assert client.get("/api/v1/campaigns/API-1", headers=bearer(token.group(1))).status_code == 200
    assert token.group(1) not in client.get("/users/lead1/tokens").text, "shown once"
    row = session.exec(select(ApiToken).where(ApiToken.name == "看板")).one()
    assert (
        client.post(f"/users/lead1/tokens/{row.id}/revoke", data={"_csrf": csrf_of(client)}).status_code
        == 303
    )
    assert client.get("/api/v1/campaigns/API-1", headers=bearer(token.group(1))).status_code == 401


def test_cli_prints_the_token_alone_on_its_last_line(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from survey_app.cli.main import main

    seed(session, settings)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["token", "add", "--username", "lead1", "--campaign", "API-1"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"mc_[A-Za-z0-9_-]{43}", token)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/campaigns/API-1/grade", headers=bearer(token)).status_code == 200
    assert main(["token", "add", "--username", "nobody"]) == 2


@pytest.fixture
def api_client(session: Session, settings: Settings) -> Iterator[tuple[TestClient, str]]:
    _campaign, _lead, token, _row = seed(session, settings)
    with TestClient(create_app(replace(settings, api_rate="100000/minute"))) as client:
        yield client, token


schema = schemathesis.openapi.from_dict(openapi("http://testserver"))


@schema.parametrize()
@hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_description_matches_the_app(case: Any, api_client: tuple[TestClient, str]) -> None:
    client, token = api_client
    if case.path_parameters and str(case.path_parameters.get("code", ""))[:1] in "abcdef":
        case.path_parameters["code"] = "API-1"  # often a real campaign, so the 200 shapes are checked too
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=bearer(token))
    response = client.request(
        **{k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params")}
    )
    assert response.status_code < 500
    # ignored_auth re-sends probes through its own HTTP transport, which cannot reach this in-process app; the
    # missing / wrong / revoked token cases are tested above instead.
    case.validate_response(response, excluded_checks=[ignored_auth])


def test_what_counts_is_the_grade_s_own_rule(
    client: TestClient, session: Session, settings: Settings
) -> None:
    _campaign, _lead, token, _row = seed(session, settings)
    rows = session.exec(select(SurveyResponse).order_by(col(SurveyResponse.id))).all()
    for row, found in zip(rows, ("excluded", "rejected", "unreachable", "callback_due"), strict=False):
        row.status = found
        session.add(row)
    session.commit()
    items = client.get("/api/v1/campaigns/API-1/responses?limit=1000", headers=bearer(token)).json()["items"]
    counted = {item["status"]: item["counted"] for item in items}
    assert counted == {s: status.counts(s) for s in counted}
    assert counted["excluded"] is False and counted["rejected"] is False
    assert counted["unreachable"] is True and counted["received"] is True, "an unanswered phone is no proof"


@pytest.mark.parametrize("how", ["deactivated", "admin reset", "own password change", "end all sessions"])
def test_a_token_is_revoked_with_the_account_s_access_and_stays_revoked(
    how: str, client: TestClient, session: Session, settings: Settings
) -> None:
    from survey_app.auth import accounts
    from tests.factories import PASSWORD

    _campaign, lead, token, _row = seed(session, settings)
    make_user(session, "admin1", ["admin"])
    assert client.get("/api/v1/campaigns", headers=bearer(token)).status_code == 200
    if how == "own password change":
        login(client, "lead1")
        data = {
            "_csrf": csrf_of(client),
            "current": PASSWORD,
            "new": "another long passphrase 42",
            "repeat": "another long passphrase 42",
        }
        assert client.post("/users/lead1/password", data=data).status_code in (200, 303)
    else:
        login(client, "admin1")
        path = {
            "deactivated": "/users/lead1/active",
            "admin reset": "/users/lead1/reset",
            "end all sessions": "/users/lead1/sessions/end",
        }[how]
        data = {"_csrf": csrf_of(client), "confirm": "yes"} | (
            {"active": "no"} if how == "deactivated" else {}
        )
        assert client.post(path, data=data).status_code in (200, 303)
    anonymous = TestClient(client.app)
    refused = anonymous.get("/api/v1/campaigns", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "api_token_invalid"
    session.expire_all()
    row = session.exec(select(ApiToken)).one()
    assert row.revoked_at is not None and row.revoked_by
    if how == "deactivated":
        found = session.get(User, lead.id)
        assert found is not None
        accounts.set_active(session=session, user=found, active=True, actor="admin1")
        session.commit()
    assert anonymous.get("/api/v1/campaigns", headers=bearer(token)).status_code == 401, "stays revoked"
