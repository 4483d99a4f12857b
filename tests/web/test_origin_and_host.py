"""A state change sent from another site is refused on every unsafe route, whatever else it carries; no
redirect or absolute URL is built from the request's Host header (issue 24, findings 8 and 9)."""

from __future__ import annotations

import re

from sqlmodel import Session
from starlette.routing import Route
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.settings import Settings
from tests.conftest import survey_path
from tests.factories import csrf_of, login, make_campaign, make_user
from tests.web.field_work import as_user, scene, schedule, setup
from tests.web.test_authz_matrix import database_digest


def _fill(template: str, token: str) -> str:
    return (
        template.replace("{token}", token)
        .replace("{code}", "O-1")
        .replace("{loc}", "L01")
        .replace("{username}", "admin1")
        .replace("{receipt}", "r-x")
        .replace("{what:str}.{fmt:str}", "responses.csv")
        .replace("breakdown.{fmt:str}", "breakdown.csv")
    )


def test_every_unsafe_route_refuses_a_foreign_origin(session: Session, settings: Settings) -> None:
    _campaign, locations = make_campaign(session, code="O-1")
    make_user(session, "admin1", ["admin"])
    token = survey_path(locations[0]).removeprefix("/s/")
    app = create_app(settings)
    posts = [r.path for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]
    assert len(posts) > 40
    with TestClient(app, follow_redirects=False) as admin:
        login(admin, "admin1")
        csrf = csrf_of(admin)
        before = database_digest(settings.database_url)
        for template in posts:
            path = re.sub(r"\{\w+:id\}", "1", _fill(template, token))
            assert "{" not in path, path
            for origin in ("http://evil.example", "null", "http://127.0.0.1:8000.evil.example"):
                response = admin.post(path, data={"_csrf": csrf}, headers={"Origin": origin})
                assert response.status_code == 403, (path, origin, response.status_code)
                assert "另一个网站" in response.text or "origin_refused" in response.text, path
        assert database_digest(settings.database_url) == before, "nothing changed"
        ours = admin.post("/logout", data={"_csrf": csrf}, headers={"Origin": "http://localhost:8000"})
        assert ours.status_code == 303, "the base URL's own origin (loopback spellings included) is fine"


def test_no_redirect_or_url_comes_from_the_host_header(session: Session, settings: Settings) -> None:
    _campaign, _locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-open-evaluation"], "covert", [users["f1"]])
    f1 = as_user(settings, "f1")
    evil = {"Host": "evil.example"}
    f1.post(f"/f/v/{visit}/checkin", data={"_csrf": csrf_of(f1, "/f")})
    upload = f1.post(
        f"/f/v/{visit}/photo",
        data={"_csrf": csrf_of(f1, "/f"), "step": "0"},
        files={"photo": ("a.jpg", scene(3), "image/jpeg")},
        headers=evil,
    )
    assert upload.status_code == 303 and upload.headers["location"] == f"/f/v/{visit}?step=0"
    step = f1.post(f"/f/v/{visit}/step/0", data={"_csrf": csrf_of(f1, "/f"), "go": "next"}, headers=evil)
    assert step.headers["location"].startswith("/") and "evil" not in step.headers["location"]
    page = f1.get(f"/f/v/{visit}", headers=evil).text
    assert "evil.example" not in page
    spec = TestClient(f1.app).get("/api/v1/openapi.json", headers=evil).json()
    assert spec["servers"] == [{"url": f"{settings.base_url}/api/v1"}] or all(
        s["url"].startswith(settings.base_url) for s in spec["servers"]
    )
    assert "evil.example" not in str(spec)
