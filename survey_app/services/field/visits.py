"""Field visits: the lead auditor schedules and cancels them; who may see which sheet (blind scoring); the
items two raters differ on and the reconciled final score. Filling a sheet is in services/sheets.py.

One door per change: every function here that changes a visit or a sheet writes its audit row too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from forms import Instrument
from forms.answers import check_answers
from forms.schema import Item
from grading.codes import encode
from survey_app.clock import utcnow
from survey_app.errors import Conflict, Forbidden, Invalid, NotFound
from survey_app.models import (
    Campaign,
    CampaignMember,
    InstrumentVersion,
    Location,
    Sheet,
    User,
    Visit,
    VisitMode,
    VisitStatus,
    ident,
)
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.campaigns.membership import member_roles


@dataclass(frozen=True)
class VisitPlan:
    """What the lead auditor asks for when scheduling a visit."""

    instrument_version_id: int
    mode: str
    window_start: datetime
    window_end: datetime
    auditor_ids: tuple[int, ...]
    location_id: int | None = None
    note: str = ""
    writeup_hours: int = 48
    finding_id: int | None = None  # a follow-up visit that verifies this finding (checked by its caller)


def instrument_of(*, session: Session, visit: Visit) -> Instrument:
    return materialise(session.get(InstrumentVersion, visit.instrument_version_id))


def schedule(*, session: Session, campaign: Campaign, plan: VisitPlan, actor: str) -> Visit:
    """Create a visit and one sheet per assigned auditor."""
    if plan.mode not in set(VisitMode):
        raise Invalid("visit_bad_mode")
    if plan.window_end <= plan.window_start:
        raise Invalid("visit_bad_window")
    auditors = list(dict.fromkeys(plan.auditor_ids))
    if not 1 <= len(auditors) <= 2:
        raise Invalid("visit_auditors")
    for user_id in auditors:
        user = session.get(User, user_id)
        if (
            user is None
            or not user.active
            or "field" not in member_roles(session=session, campaign_id=campaign.id, user_id=user_id)
        ):
            raise Invalid("visit_auditor_not_member")
    version = session.get(InstrumentVersion, plan.instrument_version_id)
    if version is None:
        raise Invalid("visit_bad_instrument")
    instrument = materialise(version)
    if plan.mode == VisitMode.INTERVIEW and instrument.kind != "survey":
        raise Invalid("visit_interview_needs_survey")
    if plan.mode != VisitMode.INTERVIEW and instrument.kind == "survey":
        raise Invalid("visit_sheet_needs_sheet")
    if plan.mode == VisitMode.COVERT and not any(item.covert for item in instrument.items):
        raise Invalid("visit_no_covert_items")
    if plan.location_id is not None:
        location = session.get(Location, plan.location_id)
        if location is None or location.campaign_id != campaign.id or not location.active:
            raise Invalid("visit_bad_location")
    visit = Visit(
        campaign_id=ident(campaign),
        location_id=plan.location_id,
        instrument_version_id=plan.instrument_version_id,
        mode=plan.mode,
        window_start=plan.window_start,
        window_end=plan.window_end,
        writeup_hours=max(1, min(plan.writeup_hours, 24 * 30)),
        note=plan.note.strip()[:1000],
        created_by=actor[:60],
        finding_id=plan.finding_id,
    )
    session.add(visit)
    session.flush()
    for user_id in auditors:
        session.add(Sheet(visit_id=ident(visit), auditor_id=user_id))
    audit.append(
        session=session,
        actor=actor,
        action="visit.schedule",
        campaign_id=campaign.id,
        subject=f"visit:{visit.id}",
        new=VisitStatus.SCHEDULED,
        detail={"mode": plan.mode, "instrument": instrument.key, "auditors": auditors},
    )
    return visit


def cancel(*, session: Session, campaign: Campaign, visit: Visit, actor: str, reason: str) -> None:
    """Cancel a visit that is not final; whatever its auditors already sent is kept."""
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict("visit_cancelled")
    if visit.status == VisitStatus.FINAL:
        raise Conflict("visit_final")
    if not reason.strip():
        raise Invalid("reason_required")
    visit.status, visit.cancelled_at = VisitStatus.CANCELLED, utcnow()
    visit.cancelled_by, visit.cancel_reason = actor[:60], reason.strip()[:1000]
    session.add(visit)
    audit.append(
        session=session,
        actor=actor,
        action="visit.cancel",
        campaign_id=campaign.id,
        subject=f"visit:{visit.id}",
        old=VisitStatus.SCHEDULED,
        new=VisitStatus.CANCELLED,
        reason=reason.strip(),
    )


def campaign_visit(*, session: Session, campaign: Campaign, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or visit.campaign_id != campaign.id:
        raise NotFound("visit_not_found")
    return visit


def sheets_of(*, session: Session, visit: Visit, live: bool = False) -> list[Sheet]:
    """The visit's sheets (`live`: only those not cancelled when their auditor left the team)."""
    query = select(Sheet).where(Sheet.visit_id == visit.id)
    if live:
        query = query.where(col(Sheet.cancelled_at).is_(None))
    return list(session.exec(query.order_by(col(Sheet.id))))


def _on_team(session: Session, user: User, campaign_id: int) -> bool:
    return bool(member_roles(session=session, campaign_id=campaign_id, user_id=user.id))


def own_sheet(
    *, session: Session, user: User, visit_id: int, write: bool = False, at: datetime | None = None
) -> tuple[Visit, Sheet]:
    """The visit and this auditor's own sheet, while they are on the campaign's team and the sheet was not
    cancelled (403 otherwise: access that ended stays ended). `write`: the campaign must also still take
    field work at `at` (the moment it was captured: a visit made before the close and sent later counts),
    and its grade must not be locked."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("visit_not_found")
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit_id, Sheet.auditor_id == user.id)).first()
    if sheet is None:
        raise Forbidden("visit_not_yours")
    if sheet.cancelled_at is not None or not _on_team(session, user, visit.campaign_id):
        raise Forbidden("visit_access_ended")
    if write:
        campaign = session.get(Campaign, visit.campaign_id)
        assert campaign is not None
        takes_field_work(session=session, campaign=campaign, at=at or utcnow())
    return visit, sheet


def takes_field_work(*, session: Session, campaign: Campaign, at: datetime) -> None:
    """Visits and interviews are recorded only while the campaign is open (at the moment they were captured)
    and its grade is not locked; otherwise Conflict, and nothing is recorded."""
    from survey_app.services.campaigns.lifecycle import closed_on
    from survey_app.services.review.status import moves_frozen

    closes = closed_on(campaign)
    if moves_frozen(session=session, campaign_id=ident(campaign)):
        raise Conflict("field_work_closed")
    if at >= (closes if closes.tzinfo else closes.replace(tzinfo=UTC)):
        raise Conflict("field_work_closed")


def may_see_sheet(*, session: Session, user: User, visit: Visit, sheet: Sheet, lead: bool) -> None:
    """Blind scoring: another rater's sheet stays closed to an auditor until every live sheet is submitted;
    an auditor no longer on the campaign's team (or whose own sheet was cancelled) sees none."""
    if lead:
        return
    mine = next((s for s in sheets_of(session=session, visit=visit) if s.auditor_id == user.id), None)
    if mine is None:
        raise Forbidden("visit_not_yours")
    if mine.cancelled_at is not None or not _on_team(session, user, visit.campaign_id):
        raise Forbidden("visit_access_ended")
    if sheet.auditor_id == user.id:
        return
    if any(s.submitted_at is None for s in sheets_of(session=session, visit=visit, live=True)):
        raise Forbidden("sheet_blind")


def cancel_sheets_of(*, session: Session, campaign: Campaign, user: User, actor: str) -> int:
    """The auditor left the campaign's team: each of their sheets not yet submitted, on a visit still to be
    done, is cancelled (kept and marked, never counted). A visit left without a live sheet is cancelled; one
    whose remaining rater already submitted becomes final with that sheet. Returns how many sheets."""
    rows = session.exec(
        select(Visit, Sheet)
        .join(Sheet, col(Sheet.visit_id) == col(Visit.id))
        .where(
            Visit.campaign_id == campaign.id,
            Visit.status == VisitStatus.SCHEDULED,
            Sheet.auditor_id == user.id,
            col(Sheet.submitted_at).is_(None),
            col(Sheet.cancelled_at).is_(None),
        )
    ).all()
    reason = f"{user.username} left the campaign's team"
    for visit, sheet in rows:
        sheet.cancelled_at, sheet.cancel_reason = utcnow(), reason
        session.add(sheet)
        audit.append(
            session=session,
            actor=actor,
            action="sheet.cancel",
            campaign_id=campaign.id,
            subject=f"visit:{visit.id}",
            reason=reason,
            detail={"sheet": sheet.id, "auditor": user.username},
        )
        session.flush()
        live = sheets_of(session=session, visit=visit, live=True)
        if not live:
            cancel(session=session, campaign=campaign, visit=visit, actor=actor, reason=reason)
        elif len(live) == 1 and live[0].submitted_at is not None:
            instrument = instrument_of(session=session, visit=visit)
            finalise(
                session=session,
                visit=visit,
                instrument=instrument,
                final=dict(live[0].answers),
                actor=actor,
                note=reason,
            )
    return len(rows)


def assignments(*, session: Session, user: User) -> list[tuple[Visit, Sheet, Campaign, Location | None]]:
    """A field auditor's own assignments: open ones soonest first, then the finished and cancelled ones."""
    rows = session.exec(
        select(Visit, Sheet, Campaign)
        .join(Sheet, col(Sheet.visit_id) == col(Visit.id))
        .join(Campaign, col(Campaign.id) == col(Visit.campaign_id))
        .where(Sheet.auditor_id == user.id, col(Sheet.cancelled_at).is_(None))
    ).all()
    teams = set(
        session.exec(select(CampaignMember.campaign_id).where(CampaignMember.user_id == user.id)).all()
    )
    out = []
    for visit, sheet, campaign in rows:
        if campaign.id not in teams:  # off the team: the visit is no longer theirs to open
            continue
        location = session.get(Location, visit.location_id) if visit.location_id else None
        out.append((visit, sheet, campaign, location))
    done = {VisitStatus.FINAL, VisitStatus.CANCELLED}
    out.sort(key=lambda r: (r[0].status in done or r[1].submitted_at is not None, r[0].window_start))
    return out


@dataclass(frozen=True)
class Difference:
    item: Item
    values: tuple[Any, ...]  # one per sheet, in sheet order


def differences(*, session: Session, visit: Visit, sheets: list[Sheet]) -> list[Difference]:
    """The items on which the submitted sheets differ (what the raters discuss, seed L389)."""
    instrument = instrument_of(session=session, visit=visit)
    out = []
    for item in instrument.items:
        values = tuple(s.answers.get(item.id) for s in sheets)
        if len({repr(v) for v in values}) > 1:
            out.append(Difference(item, values))
    return out


def reconcile(
    *,
    session: Session,
    campaign: Campaign,
    visit: Visit,
    chosen: Mapping[str, list[str]],
    note: str,
    actor: str,
) -> None:
    """Store the confirmed final score of a two-rater visit: agreed items as scored, each differing item as
    chosen; both raw sheets stay as they are."""
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict("visit_cancelled")
    if visit.status == VisitStatus.FINAL:
        raise Conflict("visit_final")
    sheets = sheets_of(session=session, visit=visit, live=True)
    if any(s.submitted_at is None for s in sheets):
        raise Conflict("sheets_not_all_submitted")
    diffs = differences(session=session, visit=visit, sheets=sheets)
    if diffs and not note.strip():
        raise Invalid("reason_required")
    instrument = instrument_of(session=session, visit=visit)
    final = dict(sheets[0].answers)
    fields = {f"a.{d.item.id}": chosen.get(f"a.{d.item.id}", []) for d in diffs}
    check = check_answers(instrument, fields, require=[d.item.id for d in diffs if d.item.required])
    if not check.ok:
        raise Invalid("reconcile_missing")
    for diff in diffs:
        final.pop(diff.item.id, None)
        if diff.item.id in check.values:
            final[diff.item.id] = check.values[diff.item.id]
    finalise(
        session=session,
        visit=visit,
        instrument=instrument,
        final=final,
        actor=actor,
        note=note,
        differing=len(diffs),
    )


def finalise(
    *,
    session: Session,
    visit: Visit,
    instrument: Instrument,
    final: dict[str, Any],
    actor: str,
    note: str,
    differing: int = 0,
) -> None:
    visit.final_answers, visit.final_codes = final, encode(instrument, final)
    visit.final_by, visit.final_at, visit.final_note = actor[:60], utcnow(), note.strip()[:2000]
    visit.status = VisitStatus.FINAL
    session.add(visit)
    audit.append(
        session=session,
        actor=actor,
        action="visit.final",
        campaign_id=visit.campaign_id,
        subject=f"visit:{visit.id}",
        old=VisitStatus.SCHEDULED,
        new=VisitStatus.FINAL,
        reason=note.strip(),
        detail={"differing_items": differing},
    )


def campaign_visits(*, session: Session, campaign: Campaign) -> list[tuple[Visit, list[Sheet]]]:
    visits = session.exec(
        select(Visit).where(Visit.campaign_id == campaign.id).order_by(col(Visit.window_start))
    ).all()
    sheets: dict[int, list[Sheet]] = {}
    ids = [ident(v) for v in visits]
    if ids:
        for sheet in session.exec(select(Sheet).where(col(Sheet.visit_id).in_(ids)).order_by(col(Sheet.id))):
            sheets.setdefault(sheet.visit_id, []).append(sheet)
    return [(v, sheets.get(ident(v), [])) for v in visits]


def lookups(
    *, session: Session, campaign: Campaign
) -> tuple[dict[int | None, User], dict[int | None, Location], dict[int | None, InstrumentVersion]]:
    """The people, the campaign's locations and the instrument versions a visits page names, by id."""
    names = {u.id: u for u in session.exec(select(User))}
    places = {
        loc.id: loc for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    versions = {v.id: v for v in session.exec(select(InstrumentVersion))}
    return names, places, versions


def place_of(*, session: Session, visit: Visit) -> tuple[Campaign, Location | None]:
    """The campaign and the location (if any) of a visit."""
    campaign = session.get(Campaign, visit.campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found")
    return campaign, session.get(Location, visit.location_id) if visit.location_id else None


def sheet_in_visit(*, session: Session, visit_id: int, sheet_id: int) -> tuple[Visit, Sheet]:
    """A visit and one of its sheets (NotFound when the sheet is not the visit's)."""
    visit, sheet = session.get(Visit, visit_id), session.get(Sheet, sheet_id)
    if visit is None or sheet is None or sheet.visit_id != visit.id:
        raise NotFound("not_found")
    return visit, sheet
