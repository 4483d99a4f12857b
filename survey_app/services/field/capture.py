"""One auditor's sheet of a visit: check-in and check-out (server and device clocks), the steps of the
covert part and the write-up, answers kept step by step, and the submit (once; after a cancellation kept
for the lead auditor but not counted).

One door per change: every function here that changes a sheet writes its audit row too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from forms import Instrument
from forms.answers import AnswerCheck, check_answers
from forms.schema import Item
from survey_app.clock import utcnow
from survey_app.errors import Conflict
from survey_app.models import Sheet, Visit, VisitMode, VisitStatus
from survey_app.services import audit
from survey_app.services.field.evidence import of_sheets
from survey_app.services.field.visits import finalise, instrument_of, sheets_of


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
    *,
    session: Session,
    visit: Visit,
    sheet: Sheet,
    device_time: str,
    position: Position | None,
    actor: str,
    at: datetime | None = None,
) -> bool:
    """Record the check-in (server time and the device's own clock). Returns False when the visit was
    cancelled meanwhile: the check-in is kept for the lead auditor all the same."""
    _writable(visit, sheet)
    if sheet.checkin_at is None:
        sheet.checkin_at, sheet.checkin_device_at = at or utcnow(), _device_time(device_time)
        if position is not None:
            sheet.latitude, sheet.longitude, sheet.accuracy_m = (
                position.latitude,
                position.longitude,
                position.accuracy_m,
            )
        _kept_after_cancel(visit, sheet)
        session.add(sheet)
        audit.append(
            session=session,
            actor=actor,
            action="visit.checkin",
            campaign_id=visit.campaign_id,
            subject=f"visit:{visit.id}",
            detail={"sheet": sheet.id, "skew_s": skew_seconds(sheet.checkin_at, sheet.checkin_device_at)},
        )
    return visit.status != VisitStatus.CANCELLED


def check_out(
    *, session: Session, visit: Visit, sheet: Sheet, device_time: str, actor: str, at: datetime | None = None
) -> bool:
    """End the covert part: the open items and the write-up follow, due within the visit's write-up time."""
    _writable(visit, sheet)
    if sheet.checkin_at is None:
        raise Conflict("visit_not_checked_in")
    if sheet.checkout_at is None:
        sheet.checkout_at, sheet.checkout_device_at = at or utcnow(), _device_time(device_time)
        _kept_after_cancel(visit, sheet)
        session.add(sheet)
        audit.append(
            session=session,
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
    instrument = instrument_of(session=session, visit=visit)
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


def _photo_answers(session: Session, instrument: Instrument, sheet: Sheet) -> dict[str, list[str]]:
    """An auditor's form answers its photo questions with the photos added on the visit (the evidence
    pipeline): each is answered by the sheet's photos, and a required one needs at least one."""
    photos = [i for i in instrument.items if i.type == "photo"]
    if not photos:
        return {}
    kept = of_sheets(session=session, sheets=[sheet])[sheet.id or 0]
    if not kept:
        return {}
    value = "evidence:" + ",".join(str(e.id) for e in kept)
    return {f"a.{item.id}": [value] for item in photos}


def _photos(value: str) -> str | None:
    """The photo answer _photo_answers makes (never one typed in a form: save_step takes none)."""
    return value if value.startswith("evidence:") else None


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
    *, session: Session, visit: Visit, sheet: Sheet, key: str, actor: str, at: datetime | None = None
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
    instrument = instrument_of(session=session, visit=visit)
    fields = {f"a.{k}": v for k, v in raw_answers(sheet.answers).items()}
    check = check_answers(instrument, fields | _photo_answers(session, instrument, sheet), photos=_photos)
    if not check.ok:
        return check, True
    sheet.answers, sheet.submitted_at, sheet.submit_key = check.values, at or utcnow(), key[:80] or None
    if sheet.checkin_at is None:
        sheet.checkin_at = sheet.submitted_at
    _kept_after_cancel(visit, sheet)
    session.add(sheet)
    audit.append(
        session=session,
        actor=actor,
        action="sheet.submit",
        campaign_id=visit.campaign_id,
        subject=f"visit:{visit.id}",
        new="submitted",
        detail={"sheet": sheet.id, "after_cancel": sheet.after_cancel},
    )
    if visit.status == VisitStatus.CANCELLED:
        return None, False
    sheets = sheets_of(session=session, visit=visit, live=True)
    if len(sheets) == 1:
        finalise(
            session=session,
            visit=visit,
            instrument=instrument,
            final=dict(check.values),
            actor=actor,
            note="",
        )
    return None, True


def _kept_after_cancel(visit: Visit, sheet: Sheet) -> None:
    if visit.status == VisitStatus.CANCELLED:
        sheet.after_cancel = True
