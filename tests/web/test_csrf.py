"""Every state-changing staff route refuses a request without the CSRF token, and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Campaign, Location
from tests.factories import login, make_campaign, make_user
from tests.web.authz_table import MATRIX

STATE_CHANGING = sorted(k for k in MATRIX if k[0] == "POST" and not k[1].startswith("/s/"))


@pytest.mark.parametrize("key", STATE_CHANGING, ids=lambda k: k[1])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_post_without_valid_token_is_403(
    key: tuple[str, str], token: str | None, client: TestClient, session: Session
) -> None:
    campaign, locations = make_campaign(session, code="X-1")
    make_user(
        session, "boss", ["admin", "reviewer", "auditee"]
    )  # every door opens to the role: CSRF alone refuses
    before = locations[0].token_nonce
    assert login(client, "boss").status_code == 303
    path = (
        key[1]
        .replace("{code}", "X-1")
        .replace("{loc}", "L01")
        .replace("{task:id}", "1")
        .replace("{finding:id}", "1")
        .replace("{username}", "lead1")
        .replace("{visit:id}", "1")
        .replace("{step:id}", "0")
        .replace("{token:id}", "1")
        .replace("{job:id}", "1")
    )
    data = {"code": "X-2", "name_zh": "n", "organisation": "o", "buildings": "2", "per_building": "2"}
    if token:
        data["_csrf"] = token
    response = client.post(path, data=data)
    assert response.status_code == 403, path
    if path != "/login":
        assert "表单已失效" in response.text
    session.expire_all()
    assert session.exec(select(Campaign).where(Campaign.code == "X-1")).one().status == "open"
    assert session.exec(select(Campaign).where(Campaign.code == "X-2")).first() is None
    assert len(session.exec(select(Location)).all()) == 2
    kept = session.get(Location, locations[0].id)
    assert kept is not None and kept.token_nonce == before


def test_htmx_header_token_is_accepted(client: TestClient, session: Session) -> None:
    make_campaign(session, code="X-1")
    make_user(session, "boss", ["admin"])
    login(client, "boss")
    import re

    found = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/campaigns").text)
    assert found is not None
    token = found.group(1)
    assert client.post("/c/X-1/close", headers={"X-CSRF-Token": token}).status_code == 303
    session.expire_all()
    assert session.exec(select(Campaign)).one().status == "closed"
