"""Property-based fuzzing: malformed paths, fields, bodies and headers on every route never get a 5xx:
Unicode digits and integers past 2**63 in every integer path parameter, query and field, and foreign Origin
and Host headers among them.

Every route of the app, as an administrator (with a valid CSRF token, so handlers really run on the garbage)
and anonymously; about 10,000 requests in all, derandomised so CI is repeatable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.db import make_engine
from survey_app.services.findings import register
from survey_app.settings import Settings
from tests.conftest import SECRET, survey_path
from tests.factories import add_member, csrf_of, login, make_campaign, make_user

HEAVY = {
    "/c/{code}/posters.pdf",
    "/c/{code}/report/analysis.pdf",
    "/c/{code}/posters/{loc}.png",
    "/c/{code}/jobs",
}
EXAMPLES, HEAVY_EXAMPLES = 240, 40
MIN_RUN = 0.9  # hypothesis may stop a little short of max_examples when it has seen a case before


class World:
    def __init__(self, admin: TestClient, anonymous: TestClient, values: dict[str, list[str]]) -> None:
        self.admin, self.anonymous, self.values = admin, anonymous, values
        self.token = csrf_of(admin)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[World]:
    from argon2 import PasswordHasher

    from survey_app.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copy(template_db, tmp / "f.db")
    base = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp), "MINGCHA_SECRET_KEY": SECRET})
    config = replace(base, database_url=f"sqlite:///{tmp / 'f.db'}", login_failure_delay=0.0)
    engine = make_engine(config.database_url)
    with Session(engine, expire_on_commit=False) as session:
        campaign, locations = make_campaign(session, code="FZ-1")
        admin = make_user(session, "admin1", ["admin", "reviewer", "auditee"])  # every role's doors open
        lead = make_user(session, "lead1", ["lead"])
        add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
        add_member(session=session, campaign_id=campaign.id, user_id=admin.id, role="auditee")
        register.raise_finding(
            session=session,
            campaign=campaign,
            data=register.FindingInput("minor", "management_system", "维保记录不全"),
            actor="lead1",
        )
        session.commit()
        token = survey_path(locations[0]).removeprefix("/s/")
        assert admin.id
    engine.dispose()
    app = create_app(config)
    values = {
        "code": ["FZ-1", "NOPE"],
        "loc": ["L01", "L99"],
        "token": [token, token[:-1] + "A"],
        "receipt": ["r-nothing"],
        "username": ["lead1", "nobody"],
        "task:id": ["1"],
        "finding:id": ["1"],
        "decision:id": ["1"],
        "file:id": ["1"],
        "visit:id": ["1"],
        "step:id": ["1"],
        "sheet:id": ["1"],
        "evidence:id": ["1"],
        "job:id": ["1"],
        "token:id": ["1"],
        "version:id": ["1"],
        "what:str": ["responses", "results"],
        "fmt:str": ["csv", "xlsx", "jsonl"],
        "fmt": ["png", "svg"],
        "instrument": ["resident-perception", "nope"],
        "size": ["full", "thumb", "huge"],
        "item": ["q01", "nope"],
    }
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as admin_client:
        login(admin_client, "admin1")
        with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as anonymous:
            yield World(admin_client, anonymous, values)


def routes() -> list[tuple[str, str]]:
    app = create_app(Settings.from_env({"MINGCHA_SECRET_KEY": "x" * 40}))
    found = []
    for route in app.routes:
        if isinstance(route, Mount) or not isinstance(route, Route):
            continue
        found += [(m, route.path) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
NAMES = [
    "a.q01", "a.comment", "_step", "_page", "_form", "_item_ms", "decision", "reason", "outcome", "called_at",
    "sample", "file", "starts_at", "buildings", "what",
]  # fmt: skip
ODD = [
    "1e999",
    "-1",
    "9" * 40,
    "na",
    "next",
    "submit",
    "exclude",
    "0001-01-01T00:00",
    "²",
    "٣",
    "１２",
    "9" * 19,
]
ODD_INTS = ["0", "1", "99999", "9" * 18, "9" * 19, "9" * 25, "²", "٣", "１２", "-1", "1e3"]  # path integers
fields = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), text), st.one_of(text, st.sampled_from(ODD)), max_size=8
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
             "application/json", "text/plain", "application/x-www-form-urlencoded; charset=gbk", "", "a/b;c="]
        ),
        "HX-Request": st.sampled_from(["true", "false", "<x>"]),
        "Accept-Language": text.filter(lambda v: v.isascii()),
        "Accept": st.sampled_from(["application/json", "text/html", "*/*"]),
        "Origin": st.sampled_from(["http://evil.example", "null", "http://127.0.0.1:8000", ""]),
        "Host": st.sampled_from(["evil.example", "testserver", "127.0.0.1:8000"]),
        "X-Queued-Ms": st.sampled_from(["²".encode(), b"1", b"9" * 30, b"-5"]),
    },
)  # fmt: skip
case = st.fixed_dictionaries(
    {
        "params": st.dictionaries(
            st.sampled_from(["code", "loc", "token", "receipt", "username", "task", "item"]), text
        ),
        "fields": fields,
        "raw": st.one_of(st.none(), st.binary(max_size=400)),
        "headers": headers,
        "anonymous": st.booleans(),
        "csrf": st.booleans(),
        "query": st.dictionaries(
            st.sampled_from(["page", "sort", "status", "family", "lang", "next", "step", "after", "limit"]),
            st.one_of(text, st.sampled_from(ODD_INTS)),
            max_size=3,
        ),
        "int": st.sampled_from(ODD_INTS),
    }
)


def _path(template: str, world: World, params: dict[str, str], draw_valid: bool, number: str) -> str:
    path = template
    for name, choices in world.values.items():
        key = name.split(":")[0]
        value = params.get(key) if not draw_valid and key in params else choices[0]
        if name.endswith(":id"):  # an integer in the path: a valid one, or a huge or Unicode one
            value = choices[0] if draw_valid else number
        path = path.replace("{" + name + "}", quote(str(value), safe="") or "x")
    return path


@pytest.mark.parametrize(("method", "template"), routes(), ids=lambda v: v)
def test_no_server_error_on_any_input(method: str, template: str, world: World) -> None:
    examples = planned(template)
    ran = {"cases": 0}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=case)
    def run(data: dict[str, Any]) -> None:
        anonymous = data["anonymous"] or (method, template) == ("POST", "/logout")
        client = world.anonymous if anonymous else world.admin
        path = _path(template, world, data["params"], len(data["params"]) % 2 == 0, data["int"])
        assert "{" not in path, f"{template}: a path parameter the fuzz does not fill"
        hdrs = dict(data["headers"])
        if data["csrf"] and not anonymous:
            hdrs["X-CSRF-Token"] = world.token
        if method == "GET":
            response = client.get(path, params=data["query"], headers=hdrs)
        elif data["raw"] is not None:
            response = client.request(method, path, content=data["raw"], headers=hdrs)
        else:
            response = client.request(method, path, data=data["fields"], headers=hdrs)
        ran["cases"] += 1
        assert response.status_code < 500, (method, path, data, response.text[:300])

    run()
    assert ran["cases"] >= MIN_RUN * examples, f"{method} {template}: only {ran['cases']} of {examples} ran"


def planned(template: str) -> int:
    return HEAVY_EXAMPLES if template in HEAVY else EXAMPLES


def test_the_plan_covers_every_route_with_at_least_ten_thousand_cases() -> None:
    """Each route's test asserts it ran its own cases; together they are at least 10,000 (and every route
    is in the plan: `routes()` reads the app's own table)."""
    plan = routes()
    assert {(m, t) for m, t in plan} >= {("GET", "/"), ("POST", "/s/{token}"), ("GET", "/api/v1/campaigns")}
    assert sum(int(MIN_RUN * planned(template)) for _method, template in plan) >= 10_000
