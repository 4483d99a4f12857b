"""Every route x every role (and anonymous) -> the expected status. Adding a route without an entry fails."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import pytest
from sqlmodel import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.clock import utcnow
from survey_app.models import Campaign, SurveyResponse, User, ident
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.services.field import evidence, visits
from survey_app.services.field.visits import VisitPlan
from survey_app.settings import Settings
from tests.conftest import survey_path
from tests.factories import add_member, csrf_of, login, make_campaign, make_user
from tests.web.authz_table import ACTORS, MATRIX


def cast(campaign: Campaign, session: Session) -> dict[str, User]:
    """The accounts beside the anonymous actor: a field auditor and a lead of `campaign`, one of each outside
    it, an admin, a certification reviewer, and the audited organisation's account invited to `campaign`."""
    users = {
        "field": make_user(session, "field1", ["field"]),
        "field_other": make_user(session, "field2", ["field"]),
        "lead": make_user(session, "lead1", ["lead"]),
        "lead_other": make_user(session, "lead2", ["lead"]),
        "admin": make_user(session, "admin1", ["admin"]),
        "reviewer": make_user(session, "reviewer1", ["reviewer"]),
        "auditee": make_user(session, "auditee1", ["auditee"]),
    }
    add_member(session=session, campaign_id=campaign.id, user_id=users["auditee"].id, role="auditee")
    add_member(session=session, campaign_id=campaign.id, user_id=users["field"].id, role="field")
    add_member(session=session, campaign_id=campaign.id, user_id=users["lead"].id, role="lead")
    return users


def field_visit(session: Session, campaign: Campaign, auditor: User) -> tuple[int, int, int]:
    """An open visit assigned to one auditor, with a photo on their sheet: (visit id, sheet id, photo id)."""
    ids = register_bundled(session=session)
    now = utcnow()
    visit = visits.schedule(
        session=session,
        campaign=campaign,
        plan=VisitPlan(
            ids["property-open-evaluation"], "open", now, now + timedelta(hours=2), (auditor.id or 0,)
        ),
        actor="test",
    )
    sheet = visits.sheets_of(session=session, visit=visit)[0]
    row, _ = evidence.add_photo(
        session=session,
        campaign=campaign,
        visit=visit,
        sheet=sheet,
        data=tiny_jpeg(),
        filename="p.jpg",
        caption="",
        actor="test",
    )
    session.commit()
    return visit.id or 0, sheet.id or 0, row.id or 0


def tiny_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def database_digest(url: str) -> str:
    """A digest of every row of every table (a GET must leave it unchanged)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def app_routes() -> set[tuple[str, str]]:
    found = set()
    for route in create_app(Settings.from_env({"MINGCHA_SECRET_KEY": "x" * 40})).routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_route_has_an_entry() -> None:
    assert app_routes() == set(MATRIX), "add the new route to MATRIX with its expected status per role"


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_by_role(key: tuple[str, str], session: Session, settings: Settings) -> None:
    method, template = key
    campaign, locations = make_campaign(session, code="M-1")
    session.add(
        SurveyResponse(
            public_id="r-receipt",
            idempotency_key="k1",
            campaign_id=ident(campaign),
            location_id=locations[0].id,
            instrument_version_id=campaign.survey_instrument_id,
            answers={},
        )
    )
    session.commit()
    users = cast(campaign, session)
    visit, sheet, photo = field_visit(session, campaign, users["field"])
    path = (
        template.replace("{token}", survey_path(locations[0]).removeprefix("/s/"))
        .replace("{receipt}", "r-receipt")
        .replace("{code}", campaign.code)
        .replace("{loc}", locations[0].code)
        .replace("{what:str}.{fmt:str}", "responses.xlsx")
        .replace("breakdown.{fmt:str}", "breakdown.xlsx")
        .replace("{fmt}", "png")
        .replace("{task:id}", "999")
        .replace("{finding:id}", "999")
        .replace("{decision:id}", "999")
        .replace("{file:id}", "999")
        .replace("{username}", "lead1")
        .replace("{visit:id}", str(visit))
        .replace("{sheet:id}", str(sheet))
        .replace("{step:id}", "0")
        .replace("{evidence:id}", str(photo))
        .replace("{job:id}", "999")
        .replace("{size}", "thumb")
        .replace("{token:id}", "999")
        .replace("{instrument}", "property-resident-survey")
        .replace("{version:id}", "1")
    )
    for actor, expected in zip(ACTORS, MATRIX[key], strict=True):
        with TestClient(create_app(settings), follow_redirects=False) as client:
            data: dict[str, str] = {}
            if actor != "anon":
                assert login(client, users[actor].username).status_code == 303
                data["_csrf"] = csrf_of(client)
            elif method == "POST" and template == "/login":
                data["_csrf"] = csrf_of(client, "/login")
            if template == "/login" and method == "POST":
                data.update({"username": "nobody", "password": "wrong"})
            before = database_digest(settings.database_url) if method == "GET" else ""
            response = client.request(method, path, data=data if method == "POST" else None)
            assert response.status_code == expected, f"{actor} {method} {path}: {response.status_code}"
            if method == "GET":
                assert database_digest(settings.database_url) == before, f"{actor} GET {path} changed a row"


# the API with each actor's own bearer token ("anon": none). Field auditors read the campaigns they are on
# and their locations, nothing of responses, callbacks or grades (as in the pages); a campaign a token may
# not see is 404, like one that does not exist. No grade is locked here: the locked grade is 404 for a lead.
# Reviewers' and audited organisations' tokens are refused outright (the API is for auditors).
API_MATRIX: dict[str, tuple[int, ...]] = {
    "/api/v1/campaigns": (401, 200, 200, 200, 200, 200, 403, 403),
    "/api/v1/campaigns/{code}": (401, 200, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/locations": (401, 200, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/responses": (401, 403, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/responses.jsonl": (401, 403, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/callbacks": (401, 403, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/findings": (401, 403, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/grade": (401, 403, 404, 200, 404, 200, 403, 403),
    "/api/v1/campaigns/{code}/grade/locked": (401, 403, 404, 404, 404, 404, 403, 403),
}


def test_every_api_operation_has_a_row_per_role() -> None:
    api = {path for method, path in app_routes() if path.startswith("/api/v1/") and method == "GET"}
    assert api - {"/api/v1/openapi.json"} == set(API_MATRIX)


def test_api_operation_by_role(session: Session, settings: Settings) -> None:
    from survey_app.services.api import tokens

    campaign, _locations = make_campaign(session, code="API-1")
    users = cast(campaign, session)
    bearer = {"anon": ""}
    for actor, found in users.items():
        _row, plain = tokens.create(session=session, user=found, name="t", campaign_codes=[], actor="test")
        bearer[actor] = plain
    session.commit()
    with TestClient(create_app(settings), follow_redirects=False) as client:
        for template, statuses in API_MATRIX.items():
            path = template.replace("{code}", campaign.code)
            for actor, expected in zip(ACTORS, statuses, strict=True):
                headers = {"Authorization": f"Bearer {bearer[actor]}"} if bearer[actor] else {}
                response = client.get(path, headers=headers)
                assert response.status_code == expected, f"{actor} GET {path}: {response.status_code}"
                if expected == 403:
                    wanted = "api_auditors_only" if actor in ("reviewer", "auditee") else "api_lead_only"
                    assert response.json()["error"]["code"] == wanted
            unknown = path.replace(campaign.code, "NO-SUCH")
            if unknown != path:
                assert client.get(
                    unknown, headers={"Authorization": f"Bearer {bearer['lead_other']}"}
                ).json() == (
                    client.get(path, headers={"Authorization": f"Bearer {bearer['lead_other']}"}).json()
                ), "a campaign the token may not see answers exactly like one that does not exist"


def test_a_campaign_you_are_not_on_is_indistinguishable_from_none(
    client: TestClient, session: Session
) -> None:
    campaign, _locations = make_campaign(session, code="HIDDEN-1")
    make_user(session, "lead2", ["lead"])
    login(client, "lead2")
    for path in ("/c/{code}", "/c/{code}/report", "/c/{code}/review", "/c/{code}/visits"):
        real = client.get(path.replace("{code}", campaign.code))
        none = client.get(path.replace("{code}", "NO-SUCH-1"))
        assert real.status_code == none.status_code == 404
        assert real.text.replace("HIDDEN-1", "X") == none.text.replace("NO-SUCH-1", "X")
