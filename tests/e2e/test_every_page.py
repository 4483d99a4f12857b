"""Every page, public and staff, for each role, at 320 and 360 px wide in zh-CN and English: no sideways
scroll, no serious or critical axe-core violation, tap targets of at least 44 px. Screenshots of the survey,
the report and the certificate land in docs/screens/ when MINGCHA_SCREENS=1."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from survey_app.models import Job, Location, SurveyResponse, Visit
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.demo.field import seed_field_demo
from survey_app.services.grades import locks
from survey_app.services.intake.links import survey_url
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.settings import Settings
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, add_member, make_user

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "docs" / "screens"

SMALL_TARGETS = (Path(__file__).parent / "small_targets.js").read_text()


def world(session: Session, settings: Settings) -> dict[str, Any]:
    before, before_locations, _ = seed_demo(session=session, code="WYW1-2025", year=2025)
    seed_demo_responses(session=session, campaign=before, locations=before_locations, seed=2025)
    campaign, locations, _ = seed_demo(session=session, previous=before)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    users = {
        "admin": make_user(session, "admin", ["admin"]),
        "lead": make_user(session, "lead", ["lead"]),
        "field": make_user(session, "field", ["field"]),
        "field2": make_user(session, "field2", ["field"]),
    }
    for c in (before, campaign):
        add_member(session=session, campaign_id=c.id, user_id=users["lead"].id, role="lead")
        for name in ("field", "field2"):
            add_member(session=session, campaign_id=c.id, user_id=users[name].id, role="field")
    seed_field_demo(session=session, campaign=before, assign=False)
    snapshot = locks.lock(session=session, campaign=before, actor="lead")
    seed_field_demo(session=session, campaign=campaign, assign=True)
    draw_callbacks(session=session, campaign=campaign, seed=1, actor="lead")
    job = Job(
        campaign_id=campaign.id or 0,
        kind="export",
        params={"what": "responses", "fmt": "xlsx"},
        created_by="lead",
    )
    session.add(job)
    session.commit()
    response = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).first()
    visits = session.exec(select(Visit).where(Visit.campaign_id == campaign.id).order_by(col(Visit.id))).all()
    assert response is not None and snapshot.certificate_token
    location = session.exec(select(Location).where(Location.id == response.location_id)).one()
    token = survey_url("", settings.secret_key, location)
    return {
        "code": campaign.code,
        "survey": token,
        "thanks": f"{token}/thanks/{response.public_id}",
        "receipt": response.public_id,
        "loc": locations[0].code,
        "cert": f"/cert/{snapshot.certificate_token}",
        "visits": [v.id for v in visits],
        "interview": next(v.id for v in visits if v.mode == "interview"),
        "covert": next(v.id for v in visits if v.mode == "covert"),
        "job": job.id,
    }


def pages(w: dict[str, Any]) -> dict[str, list[str]]:
    code = w["code"]
    return {
        "anon": ["/", "/login", w["survey"], w["thanks"], w["cert"], "/no-such-page", "/offline"],
        "field": [
            "/f",
            "/f/outbox",
            f"/f/v/{w['covert']}",
            f"/f/v/{w['interview']}/interview",
            "/campaigns",
            f"/c/{code}",
            "/users/field/sessions",
            "/users/field/tokens",
            "/users/field/password",
        ],
        "lead": [
            "/campaigns",
            "/campaigns/new",
            f"/c/{code}",
            f"/c/{code}/edit",
            f"/c/{code}/copy",
            f"/c/{code}/close",
            f"/c/{code}/locations",
            f"/c/{code}/locations/{w['loc']}/rotate",
            f"/c/{code}/locations/{w['loc']}/edit",
            f"/c/{code}/posters/{w['loc']}",
            f"/c/{code}/report",
            f"/c/{code}/jobs/{w['job']}",
            f"/c/{code}/report/lock",
            f"/c/{code}/report/analysis",
            f"/c/{code}/review",
            f"/c/{code}/review/draw",
            f"/c/{code}/r/{w['receipt']}",
            f"/c/{code}/visits",
            *[f"/c/{code}/visits/{v}" for v in w["visits"][:3]],
            "/instruments",
        ],
        "admin": ["/users"],
    }


def log_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label(re.compile("用户名|User name")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_load_state()


def test_every_page_fits_a_phone_in_both_languages(
    browser: Any, live_server: str, session: Session, settings: Settings, axe_path: Path
) -> None:
    w = world(session, settings)
    problems: list[str] = []
    for width in (320, 360):
        for locale, lang in (("zh-CN", "zh"), ("en-GB", "en")):
            for role, paths in pages(w).items():
                context = browser.new_context(
                    viewport={"width": width, "height": 740},
                    is_mobile=True,
                    has_touch=True,
                    locale=locale,
                    bypass_csp=True,
                )
                page = context.new_page()
                if role != "anon":
                    log_in(page, live_server, role)
                for path in paths:
                    page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
                    where = f"{role} {width}px {lang} {path}"
                    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 0:
                        problems.append(f"{where}: {wide}px sideways scroll")
                    small = page.evaluate(SMALL_TARGETS)
                    if small:
                        problems.append(f"{where}: small tap targets {small[:4]}")
                    if width == 360:
                        found = axe_violations(page, axe_path)
                        if found:
                            problems.append(f"{where}: axe {found}")
                    if os.environ.get("MINGCHA_SCREENS") == "1" and width == 360:
                        _screenshot(page, w, path, lang)
                context.close()
    assert problems == [], "\n".join(problems)


def _screenshot(page: Any, w: dict[str, Any], path: str, lang: str) -> None:
    names = {w["survey"]: "survey", f"/c/{w['code']}/report": "report", w["cert"]: "certificate"}
    if path in names:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{names[path]}-{lang}-360.png"), full_page=True)
