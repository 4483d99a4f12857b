"""Field work for the demo estate: finished visits (the auditors' open evaluation and management audit, two of
them scored by two raters and reconciled, seed L389) so the grade is complete, and fresh assignments for the
demo `field` login: a covert visit, an open visit with two raters and an interview round."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from forms import Instrument
from survey_app.clock import utcnow
from survey_app.models import Campaign, Location, User, Visit, VisitMode, ident
from survey_app.services.campaigns.instruments import register_bundled
from survey_app.services.field import (
    capture,
    visits,
)
from survey_app.services.field.visits import VisitPlan

EVALUATION, AUDIT, SURVEY = (
    "property-open-evaluation",
    "property-management-audit",
    "property-resident-survey",
)


def _answers(
    instrument: Instrument, truth: dict[str, int], rng: random.Random, noise: float
) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in instrument.items:
        if item.id not in truth:
            continue
        value = truth[item.id]
        if rng.random() < noise:
            value = min(5, max(1, value + rng.choice((-1, 1))))
        out[item.id] = ("yes" if value >= 3 else "no") if item.type == "yesno" else value
    return out


def _done_visit(
    *,
    session: Session,
    campaign: Campaign,
    version_id: int,
    location: Location | None,
    auditors: list[User],
    rng: random.Random,
    days_ago: int,
) -> None:
    start = min(utcnow(), campaign.deadline) - timedelta(days=days_ago)
    visit = visits.schedule(
        session=session,
        campaign=campaign,
        plan=VisitPlan(
            instrument_version_id=version_id,
            mode=VisitMode.OPEN,
            window_start=start,
            window_end=start + timedelta(hours=4),
            auditor_ids=tuple(ident(a) for a in auditors),
            location_id=location.id if location else None,
        ),
        actor="demo",
    )
    instrument = visits.instrument_of(session=session, visit=visit)
    truth = {i.id: rng.choice((4, 4, 4, 5, 5)) for i in instrument.items if i.scored}
    for auditor, sheet in zip(auditors, visits.sheets_of(session=session, visit=visit), strict=True):
        sheet.answers = _answers(instrument, truth, rng, noise=0.2)
        sheet.checkin_at, sheet.checkin_device_at = (
            start + timedelta(minutes=10),
            start + timedelta(minutes=10),
        )
        session.add(sheet)
        capture.submit(
            session=session,
            visit=visit,
            sheet=sheet,
            key=f"demo-{visit.id}-{sheet.id}",
            actor=auditor.username,
        )
    if len(auditors) == 2:
        sheets = visits.sheets_of(session=session, visit=visit)
        chosen = {
            f"a.{d.item.id}": [str(d.values[0] if rng.random() < 0.5 else d.values[1])]
            for d in visits.differences(session=session, visit=visit, sheets=sheets)
        }
        visits.reconcile(
            session=session,
            campaign=campaign,
            visit=visit,
            chosen={k: [v[0]] for k, v in chosen.items() if v[0] != "None"},
            note="两名审核员现场复核后确认（演示数据）",
            actor="lead",
        )


def seed_field_demo(*, session: Session, campaign: Campaign, assign: bool) -> int:
    """Once per campaign: finished visits, and (when `assign`) the demo field auditor's open assignments."""
    if session.exec(select(Visit).where(Visit.campaign_id == campaign.id)).first() is not None:
        return 0
    rows = register_bundled(session=session)
    users = {u.username: u for u in session.exec(select(User).where(User.username.in_(["field", "field2"])))}  # type: ignore[attr-defined]
    field, second = users["field"], users["field2"]
    locations = list(
        session.exec(select(Location).where(Location.campaign_id == campaign.id).order_by(Location.code))
    )
    rng = random.Random(campaign.code)
    _done_visit(
        session=session,
        campaign=campaign,
        version_id=rows[AUDIT],
        location=None,
        auditors=[field, second],
        rng=rng,
        days_ago=20,
    )
    _done_visit(
        session=session,
        campaign=campaign,
        version_id=rows[EVALUATION],
        location=locations[1],
        auditors=[field, second],
        rng=rng,
        days_ago=19,
    )
    _done_visit(
        session=session,
        campaign=campaign,
        version_id=rows[EVALUATION],
        location=locations[9],
        auditors=[second],
        rng=rng,
        days_ago=18,
    )
    made = 3
    if assign:
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        plans = [
            (rows[EVALUATION], VisitMode.COVERT, locations[2], (field,), now - timedelta(hours=1), 50),
            (rows[EVALUATION], VisitMode.OPEN, locations[6], (field, second), now + timedelta(hours=23), 8),
            (rows[SURVEY], VisitMode.INTERVIEW, locations[0], (field,), now - timedelta(hours=1), 30),
        ]
        for version, mode, location, who, start, hours in plans:
            visits.schedule(
                session=session,
                campaign=campaign,
                plan=VisitPlan(
                    instrument_version_id=version,
                    mode=mode,
                    window_start=start,
                    window_end=start + timedelta(hours=hours),
                    auditor_ids=tuple(ident(u) for u in who),
                    location_id=location.id,
                    note="演示任务"
                    if mode != VisitMode.COVERT
                    else "以业主身份报修并走访客服中心，不要暴露身份",
                ),
                actor="lead",
            )
            made += 1
    return made
