"""Field visits: the lead auditor schedules and cancels them; each assigned auditor fills a sheet of their
own (check-in, steps, check-out, submit); two raters score blind and the final score is reconciled.

One door per change: every function here that changes a visit or a sheet writes its audit row too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from forms import Instrument
from forms.answers import AnswerCheck, check_answers
from forms.schema import Item
from grading.codes import encode
from survey_app.errors import Conflict, Forbidden, Invalid, NotFound
from survey_app.models import (
    Campaign,
    InstrumentVersion,
    Location,
    Sheet,
    User,
    Visit,
    VisitMode,
    VisitStatus,
    ident,
    utcnow,
)
from survey_app.services import audit
from survey_app.services.instruments import materialise
from survey_app.services.membership import member_roles


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


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass
class Step:
    """One screen of a sheet: a section's items that are shown in the current phase."""

    number: int
    id: str
    title: Any
    items: list[Item] = field(default_factory=list)


def instrument_of(session: Session, visit: Visit) -> Instrument:
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
        if location is None or location.campaign_id != campaign.id:
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
    )
    session.add(visit)
    session.flush()
    for user_id in auditors:
        session.add(Sheet(visit_id=ident(visit), auditor_id=user_id))
    audit.append(
        session,
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
        session,
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


def sheets_of(session: Session, visit: Visit) -> list[Sheet]:
    return list(session.exec(select(Sheet).where(Sheet.visit_id == visit.id).order_by(col(Sheet.id))))


def own_sheet(*, session: Session, user: User, visit_id: int) -> tuple[Visit, Sheet]:
    """The visit and this auditor's own sheet; someone not assigned to it gets 403."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("visit_not_found")
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit_id, Sheet.auditor_id == user.id)).first()
    if sheet is None:
        raise Forbidden("visit_not_yours")
    return visit, sheet


def may_see_sheet(*, session: Session, user: User, visit: Visit, sheet: Sheet, lead: bool) -> None:
    """Blind scoring: another rater's sheet stays closed to an auditor until every sheet is submitted."""
    if lead or sheet.auditor_id == user.id:
        return
    sheets = sheets_of(session, visit)
    if not any(s.auditor_id == user.id for s in sheets):
        raise Forbidden("visit_not_yours")
    if any(s.submitted_at is None for s in sheets):
        raise Forbidden("sheet_blind")


def assignments(*, session: Session, user: User) -> list[tuple[Visit, Sheet, Campaign, Location | None]]:
    """A field auditor's own assignments: open ones soonest first, then the finished and cancelled ones."""
    rows = session.exec(
        select(Visit, Sheet, Campaign)
        .join(Sheet, col(Sheet.visit_id) == col(Visit.id))
        .join(Campaign, col(Campaign.id) == col(Visit.campaign_id))
        .where(Sheet.auditor_id == user.id)
    ).all()
    out = []
    for visit, sheet, campaign in rows:
        location = session.get(Location, visit.location_id) if visit.location_id else None
        out.append((visit, sheet, campaign, location))
    done = {VisitStatus.FINAL, VisitStatus.CANCELLED}
    out.sort(key=lambda r: (r[0].status in done or r[1].submitted_at is not None, r[0].window_start))
    return out


def phase(visit: Visit, sheet: Sheet) -> str:
    """'checkin' (not started), 'covert' (covert part running), 'writeup' (all items), 'submitted'."""
    if sheet.submitted_at is not None:
        return "submitted"
    if sheet.checkin_at is None:
        return "checkin"
    if visit.mode == VisitMode.COVERT and sheet.checkout_at is None:
        return "covert"
    return "writeup"


def steps(instrument: Instrument, current: str) -> list[Step]:
    """The screens of a sheet; during the covert part the open items stay hidden (seed L1099)."""
    out: list[Step] = []
    for section in instrument.sections:
        items = [i for i in section.items if current != "covert" or i.covert is not False]
        if items:
            out.append(Step(len(out), section.id, section.title, items))
    return out


def _device_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip()[:40].replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or not 2000 <= moment.year <= 2199:
        return None  # a phone set to any plausible date is kept as it is: the skew is shown, never refused
    return moment


def skew_seconds(server: datetime | None, device: datetime | None) -> int | None:
    """Device clock minus server clock when both are known (shown, never used to refuse anything)."""
    if server is None or device is None:
        return None
    return round((device - server).total_seconds())


def _writable(visit: Visit, sheet: Sheet) -> None:
    if visit.status == VisitStatus.FINAL:
        raise Conflict("visit_final")
    if sheet.submitted_at is not None:
        raise Conflict("sheet_submitted")


def check_in(
    *, session: Session, visit: Visit, sheet: Sheet, device_time: str, position: Position | None, actor: str
) -> bool:
    """Record the check-in (server time and the device's own clock). Returns False when the visit was
    cancelled meanwhile: the check-in is kept for the lead auditor all the same."""
    _writable(visit, sheet)
    if sheet.checkin_at is None:
        sheet.checkin_at, sheet.checkin_device_at = utcnow(), _device_time(device_time)
        if position is not None:
            sheet.latitude, sheet.longitude, sheet.accuracy_m = (
                position.latitude,
                position.longitude,
                position.accuracy_m,
            )
        _kept_after_cancel(visit, sheet)
        session.add(sheet)
        audit.append(
            session,
            actor=actor,
            action="visit.checkin",
            campaign_id=visit.campaign_id,
            subject=f"visit:{visit.id}",
            detail={"sheet": sheet.id, "skew_s": skew_seconds(sheet.checkin_at, sheet.checkin_device_at)},
        )
    return visit.status != VisitStatus.CANCELLED


def check_out(*, session: Session, visit: Visit, sheet: Sheet, device_time: str, actor: str) -> bool:
    """End the covert part: the open items and the write-up follow, due within the visit's write-up time."""
    _writable(visit, sheet)
    if sheet.checkin_at is None:
        raise Conflict("visit_not_checked_in")
    if sheet.checkout_at is None:
        sheet.checkout_at, sheet.checkout_device_at = utcnow(), _device_time(device_time)
        _kept_after_cancel(visit, sheet)
        session.add(sheet)
        audit.append(
            session,
            actor=actor,
            action="visit.checkout",
            campaign_id=visit.campaign_id,
            subject=f"visit:{visit.id}",
            detail={"sheet": sheet.id},
        )
    return visit.status != VisitStatus.CANCELLED


def writeup_due(visit: Visit, sheet: Sheet) -> datetime | None:
    """When the write-up should be finished: the visit's write-up time after check-out (or after the window
    for an open visit)."""
    start = sheet.checkout_at or (visit.window_end if sheet.checkin_at else None)
    return start + timedelta(hours=visit.writeup_hours) if start else None


def save_step(
    *,
    session: Session,
    visit: Visit,
    sheet: Sheet,
    step: Step,
    fields: Mapping[str, list[str]],
    note: str,
) -> tuple[AnswerCheck, bool]:
    """Keep this step's answers (only the valid ones; errors are returned to show) and its quick note."""
    _writable(visit, sheet)
    if sheet.checkin_at is None:
        raise Conflict("visit_not_checked_in")
    instrument = instrument_of(session, visit)
    ids = {item.id for item in step.items}
    check = check_answers(instrument, {k: v for k, v in fields.items() if k[2:] in ids}, require=())
    answers = {k: v for k, v in sheet.answers.items() if k not in ids}
    answers.update({k: v for k, v in check.values.items() if k in ids})
    sheet.answers = answers
    notes = dict(sheet.notes)
    if note.strip():
        notes[step.id] = note.strip()[:2000]
    else:
        notes.pop(step.id, None)
    sheet.notes = notes
    _kept_after_cancel(visit, sheet)
    session.add(sheet)
    return check, visit.status != VisitStatus.CANCELLED


def raw_answers(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Stored answers back in the form's shape (item id -> posted strings)."""
    out: dict[str, list[str]] = {}
    for key, value in answers.items():
        if value is None:
            out[key] = ["na"]
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = [str(value)]
    return out


def submit(
    *, session: Session, visit: Visit, sheet: Sheet, key: str, actor: str
) -> tuple[AnswerCheck | None, bool]:
    """Submit the sheet once. Returns (problems or None, counted). A repeat with the same key is a no-op;
    missing required items come back as problems with every answer kept; after a cancellation the sheet is
    kept (marked) for the lead auditor but not counted."""
    if sheet.submitted_at is not None:
        if key and key == sheet.submit_key:
            return None, visit.status != VisitStatus.CANCELLED
        raise Conflict("sheet_submitted")
    if visit.status == VisitStatus.FINAL:
        raise Conflict("visit_final")
    instrument = instrument_of(session, visit)
    fields = {f"a.{k}": v for k, v in raw_answers(sheet.answers).items()}
    check = check_answers(instrument, fields)
    if not check.ok:
        return check, True
    sheet.answers, sheet.submitted_at, sheet.submit_key = check.values, utcnow(), key[:80] or None
    if sheet.checkin_at is None:
        sheet.checkin_at = sheet.submitted_at
    _kept_after_cancel(visit, sheet)
    session.add(sheet)
    audit.append(
        session,
        actor=actor,
        action="sheet.submit",
        campaign_id=visit.campaign_id,
        subject=f"visit:{visit.id}",
        new="submitted",
        detail={"sheet": sheet.id, "after_cancel": sheet.after_cancel},
    )
    if visit.status == VisitStatus.CANCELLED:
        return None, False
    sheets = sheets_of(session, visit)
    if len(sheets) == 1:
        _finalise(session, visit, instrument, dict(check.values), actor=actor, note="")
    return None, True


def _kept_after_cancel(visit: Visit, sheet: Sheet) -> None:
    if visit.status == VisitStatus.CANCELLED:
        sheet.after_cancel = True


@dataclass(frozen=True)
class Difference:
    item: Item
    values: tuple[Any, ...]  # one per sheet, in sheet order


def differences(*, session: Session, visit: Visit, sheets: list[Sheet]) -> list[Difference]:
    """The items on which the submitted sheets differ (what the raters discuss, seed L389)."""
    instrument = instrument_of(session, visit)
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
    sheets = sheets_of(session, visit)
    if any(s.submitted_at is None for s in sheets):
        raise Conflict("sheets_not_all_submitted")
    diffs = differences(session=session, visit=visit, sheets=sheets)
    if diffs and not note.strip():
        raise Invalid("reason_required")
    instrument = instrument_of(session, visit)
    final = dict(sheets[0].answers)
    fields = {f"a.{d.item.id}": chosen.get(f"a.{d.item.id}", []) for d in diffs}
    check = check_answers(instrument, fields, require=[d.item.id for d in diffs if d.item.required])
    if not check.ok:
        raise Invalid("reconcile_missing")
    for diff in diffs:
        final.pop(diff.item.id, None)
        if diff.item.id in check.values:
            final[diff.item.id] = check.values[diff.item.id]
    _finalise(session, visit, instrument, final, actor=actor, note=note, differing=len(diffs))


def _finalise(
    session: Session,
    visit: Visit,
    instrument: Instrument,
    final: dict[str, Any],
    *,
    actor: str,
    note: str,
    differing: int = 0,
) -> None:
    visit.final_answers, visit.final_codes = final, encode(instrument, final)
    visit.final_by, visit.final_at, visit.final_note = actor[:60], utcnow(), note.strip()[:2000]
    visit.status = VisitStatus.FINAL
    session.add(visit)
    audit.append(
        session,
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
