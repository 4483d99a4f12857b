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
from survey_app.services.demo.findings import seed_decision_demo, seed_findings_demo
from survey_app.services.grades import locks
from survey_app.services.intake.links import survey_url
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.settings import Settings
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, add_member, make_user

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "docs" / "screens"

SMALL_TARGETS = (Path(__file__).parent / "small_targets.js").read_text()

# What a reader must never meet: the codes the program keeps for itself.
INTERNAL = {
    "an audit action": re.compile(
        r"\b(?:response|callbacks?|contacts?|visit|sheet|grade|campaign|locations?|member|user|login|fraud"
        r"|evidence|interview|certificate|task|api_token|sessions|instrument)\.[a-z_]+\b"
    ),
    "an instrument or scheme key": re.compile(r"\b[a-z][a-z0-9-]+@\d+\b"),
    "UTC": re.compile(r"\bUTC\b"),
    "a file path": re.compile(r"\b(?:docs|survey_app|templates|var)/\S+|\b\w+\.md\b"),
    "an error code": re.compile(r"错误代码|Error code \d"),
    "a raw user agent": re.compile(r"Mozilla/\d"),
    "a time zone id": re.compile(r"\b(?:Asia|Europe|America)/[A-Z]\w+"),
}


def internal_codes(text: str) -> list[str]:
    """What in a page's text is a code for the program rather than words for a person."""
    return [f"{what}: {m.group(0)!r}" for what, pattern in INTERNAL.items() for m in pattern.finditer(text)]


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
        "reviewer": make_user(session, "reviewer", ["reviewer"]),
        "auditee": make_user(session, "auditee", ["auditee"]),
    }
    add_member(session=session, campaign_id=campaign.id, user_id=users["auditee"].id, role="auditee")
    for c in (before, campaign):
        add_member(session=session, campaign_id=c.id, user_id=users["lead"].id, role="lead")
        for name in ("field", "field2"):
            add_member(session=session, campaign_id=c.id, user_id=users[name].id, role="field")
    seed_field_demo(session=session, campaign=before, assign=False)
    snapshot = locks.lock(session=session, campaign=before, actor="lead")
    seed_field_demo(session=session, campaign=campaign, assign=True)
    draw_callbacks(session=session, campaign=campaign, seed=1, actor="lead")
    seed_findings_demo(session=session, campaign=campaign)
    seed_decision_demo(session=session, campaign=before)
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
        "before": before.code,
    }


def pages(w: dict[str, Any]) -> dict[str, list[str]]:
    code = w["code"]
    return {
        "anon": [
            "/",
            "/login",
            w["survey"],
            w["thanks"],
            w["cert"],
            "/no-such-page",
            "/offline",
            "/q/NOPE-404",
        ],
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
            "/instruments/property-resident-survey/1/preview",
            f"/c/{code}/findings",
            f"/c/{code}/findings/1",
            f"/c/{code}/findings/3",
            f"/c/{code}/audit",
        ],
        "admin": ["/users"],
        "reviewer": ["/decisions", f"/c/{w['before']}/decision", f"/c/{code}/decision"],
        "auditee": ["/a", f"/a/{code}/findings/2", f"/a/{code}/findings/3"],
    }


def log_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label(re.compile("用户名|User ?name", re.I)).fill(username)
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
                    assert "/login" not in page.url, f"{role} could not log in"
                for path in paths:
                    page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
                    where = f"{role} {width}px {lang} {path}"
                    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if wide > 0:
                        problems.append(f"{where}: {wide}px sideways scroll")
                    codes = internal_codes(page.inner_text("body"))
                    if codes:
                        problems.append(f"{where}: {codes[:3]}")
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
    if os.environ.get("MINGCHA_SCREENS") == "1":
        _desk_screens(browser, live_server, w)
    assert problems == [], "\n".join(problems)


def _shot_names(w: dict[str, Any]) -> dict[str, str]:
    code = w["code"]
    return {
        "/": "home",
        w["survey"]: "survey",
        w["cert"]: "certificate",
        "/f": "field-home",
        f"/f/v/{w['covert']}": "covert-visit",
        f"/f/v/{w['interview']}/interview": "interviews",
        f"/c/{code}": "campaign",
        f"/c/{code}/report": "report",
        f"/c/{code}/review": "review-desk",
        f"/c/{code}/r/{w['receipt']}": "response-and-callback",
        f"/c/{code}/visits": "visits",
        f"/c/{code}/findings": "findings",
        f"/c/{code}/audit": "audit-log",
        "/users": "accounts",
    }


def _screenshot(page: Any, w: dict[str, Any], path: str, lang: str, width: int = 360) -> None:
    names = _shot_names(w)
    if path in names:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{names[path]}-{lang}-{width}.png"), full_page=width == 360)


def _desk_screens(browser: Any, server: str, w: dict[str, Any]) -> None:
    """The same screens at 1280 px, for docs/screens (only with MINGCHA_SCREENS=1)."""
    wanted = set(_shot_names(w))
    for lang in ("zh", "en"):
        for role, paths in pages(w).items():
            locale = "zh-CN" if lang == "zh" else "en-GB"
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale=locale, bypass_csp=True
            )
            page = context.new_page()
            if role != "anon":
                log_in(page, server, role)
            for path in [p for p in paths if p in wanted]:
                page.goto(f"{server}{path}?lang={lang}")
                _screenshot(page, w, path, lang, width=1280)
            context.close()


def test_the_code_finder_finds_what_the_first_walk_found() -> None:
    found = [
        "fraud-model · response.model",
        "callback.attempt · — → confirmed",
        "(property-resident-survey@1)",
        "以 UTC 存储",
        "docs/api.md",
        "错误代码 404",
        "(Asia/Shanghai)",
    ]
    assert all(internal_codes(text) for text in found)
    assert internal_codes("K7M-4QX · 第 1 版 · 北京时间 · 2/5 · 75.6/80 · posters.pdf · kappa 0.81") == []
