"""Plain-function factories for test data."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

import httpx2
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from survey_app import location_tokens
from survey_app.clock import utcnow
from survey_app.models import Campaign, Location, SurveyResponse, User, Visit, ident
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.services.campaigns.lifecycle import register_campaign
from survey_app.services.grades.schemes import ensure_schemes


def make_campaign(
    session: Session,
    *,
    code: str = "T-001",
    instrument: str = "property-resident-survey",
    locations: int = 2,
    status: str = "open",
    starts_in_days: float = -1,
    deadline_in_days: float = 30,
) -> tuple[Campaign, list[Location]]:
    """Create an open campaign with `locations` locations (L01, L02, ...)."""
    rows = register_bundled(session=session)
    now = utcnow()
    campaign = Campaign(
        code=code,
        name_zh="测试项目",
        name_en="Test campaign",
        organisation="测试物业",
        scheme_id=ident(ensure_schemes(session=session)["property-estate"]),
        survey_instrument_id=rows[instrument],
        status=status,
        starts_at=now + timedelta(days=starts_in_days),
        deadline=now + timedelta(days=deadline_in_days),
        ip_salt=secrets.token_hex(8),
    )
    register_campaign(session=session, campaign=campaign, actor="test")
    made = []
    for n in range(1, locations + 1):
        loc = Location(
            campaign_id=ident(campaign),
            code=f"L{n:02d}",
            name=f"{n}号楼",
            token_nonce=location_tokens.new_nonce(),
        )
        session.add(loc)
        made.append(loc)
    session.commit()
    return campaign, made


def full_answers(value: str = "4") -> dict[str, str]:
    """A complete, valid answer set for the property resident survey (form field names)."""
    data = {f"a.q{n:02d}": value for n in range(1, 22)}
    data["a.q21"] = "2"
    return data


PASSWORD = "correct horse battery"


def make_user(session: Session, username: str, roles: list[str]) -> User:
    """An account with the shared test password (committed)."""
    from survey_app.auth.accounts import create_user

    user = create_user(session=session, username=username, password=PASSWORD, roles=roles, actor="test")
    session.commit()
    return user


def add_member(*, session: Session, campaign_id: int | None, user_id: int | None, role: str) -> None:
    """Put a user on a campaign through the membership door (committed)."""
    from survey_app.services.campaigns.membership import add_member as add

    campaign, user = session.get(Campaign, campaign_id), session.get(User, user_id)
    assert campaign is not None and user is not None
    add(session=session, campaign=campaign, user=user, role=role, actor="test")
    session.commit()


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx2.Response:
    """Log in through the real form (CSRF token from the login page); return the response."""
    import re

    token = re.search(r'name="_csrf" value="([^"]+)"', client.get("/login").text)
    assert token, "the login form carries a CSRF token"
    return client.post("/login", data={"_csrf": token.group(1), "username": username, "password": password})


def csrf_of(client: TestClient, path: str = "") -> str:
    """The logged-in session's CSRF token, read from a staff page (by default the first of the roles' home
    pages this account may open: campaigns, decisions, or the audited organisation's findings)."""
    import re

    for page in [path] if path else ["/campaigns", "/decisions", "/a"]:
        match = re.search(r'name="_csrf" value="([^"]+)"', client.get(page).text)
        if match:
            return match.group(1)
    raise AssertionError(f"{path or 'no home page'} carries a CSRF token")


def seed_graded_demo(session: Session) -> tuple[Campaign, list[Location]]:
    """The demo estate with its simulated residents and the auditors' finished sheets (committed): every
    component of its scheme has data, so it grades completely."""
    from survey_app.services.demo.estate import seed_demo, seed_demo_responses
    from survey_app.services.demo.field import seed_field_demo

    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    for name in ("field", "field2"):
        user = make_user(session, name, ["field"])
        add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="field")
    seed_field_demo(session=session, campaign=campaign, assign=False)
    session.commit()
    return campaign, locations


def covert_visit(
    session: Session, campaign: Campaign, *, location_id: int | None, field_id: int, actor: str
) -> Visit:
    """A covert property open-evaluation visit for one auditor, open from an hour ago for six hours."""
    from survey_app.services.field import visits
    from survey_app.services.field.visits import VisitPlan

    start = utcnow() - timedelta(hours=1)
    plan = VisitPlan(
        register_bundled(session=session)["property-open-evaluation"],
        "covert",
        start,
        start + timedelta(hours=6),
        (field_id,),
        location_id=location_id,
    )
    visit = visits.schedule(session=session, campaign=campaign, plan=plan, actor=actor)
    session.commit()
    return visit


def logged_in_lead(
    client: TestClient, session: Session, code: str = "H-1", username: str = "lead1"
) -> tuple[Campaign, list[Location]]:
    """A campaign (two locations) led by a new lead auditor, logged in on `client`."""
    campaign, locations = make_campaign(session, code=code)
    lead = make_user(session, username, ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, username)
    return campaign, locations


def app_of(client: TestClient) -> Starlette:
    """The app a test client drives (its state: the job queue, the throttles, the cipher)."""
    app = client.app
    assert isinstance(app, Starlette)
    return app


def reread(session: Session, rows: Sequence[SurveyResponse]) -> list[SurveyResponse]:
    """The responses as stored now (each must still exist)."""
    found = [session.get(SurveyResponse, r.id) for r in rows]
    assert all(f is not None for f in found)
    return [f for f in found if f is not None]


def serving_xlsform(session: Session, code: str, workbook: bytes) -> list[Location]:
    """A campaign whose survey is this XLSForm (imported, stored and served): its locations (committed)."""
    from forms.xlsform import read_xlsform
    from survey_app.models import ServedInstrument
    from survey_app.services.campaigns.instruments import register

    imported = read_xlsform(workbook, source=f"{code}.xlsx")
    assert imported.problems == [] and imported.instrument is not None
    campaign, locations = make_campaign(session, code=code)
    row = register(session=session, instrument=imported.instrument)
    campaign.survey_instrument_id = ident(row)
    session.add(campaign)
    session.add(ServedInstrument(campaign_id=ident(campaign), instrument_version_id=ident(row)))
    session.commit()
    return locations
