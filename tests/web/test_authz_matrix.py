"""Every route x every role (and anonymous) -> the expected status. Adding a route without an entry fails."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlmodel import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.models import Submission
from survey_app.settings import Settings
from tests.conftest import survey_path
from tests.factories import add_member, csrf_of, login, make_campaign, make_user

ACTORS = ("anon", "field", "field_other", "lead", "lead_other", "admin")
R = 303  # anonymous: sent to the login page
# (method, path) -> status per actor, in ACTORS order
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/"): (200, 200, 200, 200, 200, 200),
    ("GET", "/healthz"): (200, 200, 200, 200, 200, 200),
    ("GET", "/s/{token}"): (200, 200, 200, 200, 200, 200),
    ("POST", "/s/{token}"): (422, 422, 422, 422, 422, 422),
    ("GET", "/s/{token}/thanks/{receipt}"): (200, 200, 200, 200, 200, 200),
    ("GET", "/login"): (200, 303, 303, 303, 303, 303),
    ("POST", "/login"): (401, 401, 401, 401, 401, 401),
    ("POST", "/logout"): (R, 303, 303, 303, 303, 303),
    ("GET", "/campaigns"): (R, 200, 200, 200, 200, 200),
    ("GET", "/users/{username}/sessions"): (R, 403, 403, 200, 403, 200),  # lead1's own page; admins see all
    ("POST", "/users/{username}/sessions/end"): (R, 403, 403, 303, 403, 303),
    ("GET", "/campaigns/new"): (R, 403, 403, 200, 200, 200),
    ("POST", "/campaigns/new"): (R, 403, 403, 422, 422, 422),
    ("GET", "/c/{code}"): (R, 200, 403, 200, 403, 200),
    ("GET", "/c/{code}/edit"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/edit"): (R, 403, 403, 422, 403, 422),
    ("POST", "/c/{code}/close"): (R, 403, 403, 303, 403, 303),
    ("GET", "/c/{code}/copy"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/copy"): (R, 403, 403, 422, 403, 422),
    ("GET", "/c/{code}/locations"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/locations/import"): (R, 403, 403, 422, 403, 422),
    ("POST", "/c/{code}/locations/generate"): (R, 403, 403, 422, 403, 422),
    ("POST", "/c/{code}/locations/{loc}/rotate"): (R, 403, 403, 303, 403, 303),
    ("GET", "/c/{code}/posters.pdf"): (R, 403, 403, 200, 403, 200),
    ("GET", "/c/{code}/posters/{loc}.png"): (R, 403, 403, 200, 403, 200),
    ("GET", "/c/{code}/posters/{loc}"): (R, 403, 403, 200, 403, 200),
    ("GET", "/instruments"): (R, 403, 403, 200, 200, 200),
    ("GET", "/c/{code}/report"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/report/lock"): (R, 403, 403, 303, 403, 303),
    ("GET", "/c/{code}/report/analysis"): (R, 403, 403, 200, 403, 200),
    ("GET", "/c/{code}/report/analysis.pdf"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/export/{what:str}.{fmt:str}"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/report/reopen"): (R, 403, 403, 409, 403, 409),  # nothing locked yet
    ("GET", "/c/{code}/review"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/tasks"): (R, 403, 403, 422, 403, 422),  # nothing said about what to check
    ("POST", "/c/{code}/tasks/{task:int}"): (R, 403, 403, 404, 403, 404),  # no such task
    ("POST", "/c/{code}/review/draw"): (R, 403, 403, 422, 403, 422),  # nothing scored to draw from
    ("POST", "/c/{code}/review/bulk"): (R, 403, 403, 422, 403, 422),  # no decision given
    ("GET", "/c/{code}/r/{receipt}"): (R, 403, 403, 200, 403, 200),
    ("POST", "/c/{code}/r/{receipt}/reveal"): (R, 403, 403, 409, 403, 409),  # no phone was left
    ("POST", "/c/{code}/r/{receipt}/callback"): (R, 403, 403, 422, 403, 422),  # no outcome given
    ("POST", "/c/{code}/r/{receipt}/decide"): (R, 403, 403, 422, 403, 422),  # no decision given
    ("GET", "/cert/{token}"): (404, 404, 404, 404, 404, 404),  # an unknown certificate (a survey token)
    ("GET", "/cert/{token}/qr.{fmt}"): (404, 404, 404, 404, 404, 404),
    ("POST", "/instruments"): (R, 403, 403, 422, 422, 422),
}


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
        Submission(
            public_id="r-receipt",
            idempotency_key="k1",
            campaign_id=campaign.id,
            location_id=locations[0].id,
            instrument_version_id=campaign.survey_instrument_id,
            answers={},
        )
    )
    session.commit()
    users = {
        "field": make_user(session, "field1", ["field"]),
        "field_other": make_user(session, "field2", ["field"]),
        "lead": make_user(session, "lead1", ["lead"]),
        "lead_other": make_user(session, "lead2", ["lead"]),
        "admin": make_user(session, "admin1", ["admin"]),
    }
    add_member(session=session, campaign_id=campaign.id, user_id=users["field"].id, role="field")
    add_member(session=session, campaign_id=campaign.id, user_id=users["lead"].id, role="lead")
    path = (
        template.replace("{token}", survey_path(locations[0]).removeprefix("/s/"))
        .replace("{receipt}", "r-receipt")
        .replace("{code}", campaign.code)
        .replace("{loc}", locations[0].code)
        .replace("{what:str}.{fmt:str}", "responses.xlsx")
        .replace("{fmt}", "png")
        .replace("{task:int}", "999")
        .replace("{username}", "lead1")
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
