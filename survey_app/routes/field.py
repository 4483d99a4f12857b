"""A field auditor's screens under /f: their own assignments, a visit step by step (a discreet screen for
covert visits), photos, blind sheets of the other rater, and interview rounds."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.clock import utcnow
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.models import Sheet, Visit, VisitMode, VisitStatus
from survey_app.routes.staff import staff_render
from survey_app.services.campaigns.access import is_admin
from survey_app.services.campaigns.membership import member_roles
from survey_app.services.field import (
    capture,
    evidence,
    visits,
)
from survey_app.services.field.photos import MAX_PHOTO_BYTES
from survey_app.web.endpoint import db, endpoint, field, form, path_for, read_staff_form, redirect, user
from survey_app.web.form_state import FormState, with_check
from survey_app.web.outbox import NOTICE_HEADER, captured_at

photo_form = functools.partial(
    read_staff_form, uploads=True, limit=MAX_PHOTO_BYTES + 1024 * 1024, too_large="photo_too_large"
)


def home(request: Request) -> Response:
    rows = visits.assignments(session=db(request), user=user(request))
    keep = {
        visit.id: " ".join(offline_pages(request, visit))
        for visit, sheet, _campaign, _location in rows
        if visit.status == VisitStatus.SCHEDULED and sheet.submitted_at is None
    }
    return staff_render(request, "field/home.html", {"rows": rows, "keep": keep})


def outbox_page(request: Request) -> Response:
    """What this phone has waiting to be sent, and what was sent or refused (drawn from the phone's own
    store by field.js; the page says so where JavaScript is off)."""
    return staff_render(request, "field/outbox.html", {})


def own_visit(request: Request, *, write: bool = False) -> tuple[Visit, Sheet]:
    """The visit in the path and this auditor's own sheet of it (403 for anyone not assigned, or no longer on
    the campaign's team); `write`: the campaign must still take field work when this was captured."""
    return visits.own_sheet(
        session=db(request),
        user=user(request),
        visit_id=request.path_params["visit"],
        write=write,
        at=captured_at(request),
    )


def _fields(request: Request) -> dict[str, list[str]]:
    data = form(request)
    return {k: [v for v in data.getlist(k) if isinstance(v, str)] for k in data if k.startswith("a.")}


def _step_number(request: Request, count: int) -> int:
    step = whole_number(request.query_params.get("step", "0"), high=999) or 0
    return min(step, max(count, 0))  # == count: the review-and-submit screen


def _screen(
    request: Request,
    visit: Visit,
    sheet: Sheet,
    *,
    step: int | None = None,
    check: Any = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    session = db(request)
    instrument = visits.instrument_of(session=session, visit=visit)
    current = _shown_phase(request, visit, capture.phase(visit, sheet))
    screens = capture.steps(instrument, current)
    number = _step_number(request, len(screens)) if step is None else min(step, len(screens))
    action = path_for(request, "field:step", visit=visit.id, step=number)
    view = FormState(instrument, request.state.locale, action, "", raw=capture.raw_answers(sheet.answers))
    if check is not None:
        with_check(view, check)
        view.raw = {**capture.raw_answers(sheet.answers), **check.raw}
    campaign, location = visits.place_of(session=session, visit=visit)
    sheets = visits.sheets_of(session=session, visit=visit)
    return staff_render(
        request,
        "field/visit.html",
        {
            "visit": visit,
            "sheet": sheet,
            "campaign": campaign,
            "location": location,
            "instrument": instrument,
            "phase": current,
            "screens": screens,
            "step": number,
            "view": view,
            "notice": notice,
            "due": capture.writeup_due(visit, sheet),
            "skew": capture.skew_seconds,
            "photos": evidence.of_sheets(session=session, sheets=[sheet])[sheet.id or 0],
            "others": [s for s in sheets if s.id != sheet.id],
            "submit_key": uuid.uuid4().hex,
            "covert": visit.mode == VisitMode.COVERT,
            "here": path_for(request, "field:visit", visit=visit.id),
            "rendered": int(utcnow().timestamp() * 1000),
        },
        status_code=status_code,
    )


PHASES = ("checkin", "covert", "writeup", "submitted")


def _shown_phase(request: Request, visit: Visit, current: str) -> str:
    """The phase a screen shows: the sheet's own, or a later one asked for by `?phase=` (the screens a phone
    keeps for offline use: what it saves there is sent in order and checked against the real phase then)."""
    wanted = request.query_params.get("phase", "")
    if wanted not in ("covert", "writeup") or current == "submitted":
        return current
    if wanted == "covert" and visit.mode != VisitMode.COVERT:
        return current
    return wanted if PHASES.index(wanted) > PHASES.index(current) else current


def offline_pages(request: Request, visit: Visit) -> list[str]:
    """Every screen of an assignment, for the phone to keep: the visit in each of its phases, or the
    interview round's form."""
    if visit.mode == VisitMode.INTERVIEW:
        return [path_for(request, "field:interview", visit=visit.id)]
    here = path_for(request, "field:visit", visit=visit.id)
    instrument = visits.instrument_of(session=db(request), visit=visit)
    phases = ("covert", "writeup") if visit.mode == VisitMode.COVERT else ("writeup",)
    pages = [here]
    for name in phases:
        count = len(capture.steps(instrument, name))
        pages += [f"{here}?phase={name}&step={n}" for n in range(count + 1)]
    return pages


def visit_page(request: Request) -> Response:
    visit, sheet = own_visit(request)
    if visit.mode == VisitMode.INTERVIEW:
        return redirect(request, "field:interview", visit=visit.id)
    return _screen(request, visit, sheet)


def _cancelled(request: Request, visit: Visit, sheet: Sheet) -> Response:
    """409 with the message; what was sent is already stored (committed) for the lead auditor."""
    response = _screen(request, visit, sheet, notice="visit_cancelled_kept", status_code=409)
    response.headers[NOTICE_HEADER] = "visit_cancelled_kept"
    return response


def _position(request: Request) -> capture.Position | None:
    try:
        lat, lon = float(field(request, "latitude")[:30]), float(field(request, "longitude")[:30])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    try:
        acc: float | None = float(field(request, "accuracy")[:30])
    except ValueError:
        acc = None
    return capture.Position(lat, lon, acc if acc is not None and 0 <= acc < 1e6 else None)


def checkin(request: Request) -> Response:
    visit, sheet = own_visit(request, write=True)
    live = capture.check_in(
        session=db(request),
        visit=visit,
        sheet=sheet,
        device_time=field(request, "device_time"),
        position=_position(request),
        actor=user(request).username,
        at=captured_at(request),
    )
    if not live:
        return _cancelled(request, visit, sheet)
    return redirect(request, "field:visit", visit=visit.id)


def checkout(request: Request) -> Response:
    visit, sheet = own_visit(request, write=True)
    live = capture.check_out(
        session=db(request),
        visit=visit,
        sheet=sheet,
        device_time=field(request, "device_time"),
        actor=user(request).username,
        at=captured_at(request),
    )
    if not live:
        return _cancelled(request, visit, sheet)
    return redirect(request, "field:visit", visit=visit.id)


def step(request: Request) -> Response:
    session = db(request)
    visit, sheet = own_visit(request, write=True)
    screens = capture.steps(visits.instrument_of(session=session, visit=visit), capture.phase(visit, sheet))
    number = request.path_params["step"]
    section = field(request, "_section")
    if section:  # sent from a phone's outbox: the step is named by its section, checked against the phase now
        number = next((s.number for s in screens if s.id == section), len(screens))
        if number >= len(screens):
            raise Conflict("conflict")
    if number >= len(screens):
        raise NotFound("not_found")
    check, live = capture.save_step(
        session=session,
        visit=visit,
        sheet=sheet,
        step=screens[number],
        fields=_fields(request),
        note=field(request, "note"),
    )
    if not live:
        return _cancelled(request, visit, sheet)
    if not check.ok:
        return _screen(request, visit, sheet, step=number, check=check, status_code=422)
    target = number - 1 if field(request, "go") == "back" else number + 1
    return redirect(request, "field:visit", visit=visit.id, query={"step": max(0, target)})


def submit(request: Request) -> Response:
    session = db(request)
    visit, sheet = own_visit(request, write=True)
    problems, counted = capture.submit(
        session=session,
        visit=visit,
        sheet=sheet,
        key=field(request, "key"),
        actor=user(request).username,
        at=captured_at(request),
    )
    if problems is not None:
        screens = capture.steps(visits.instrument_of(session=session, visit=visit), "writeup")
        return _screen(request, visit, sheet, step=len(screens), check=problems, status_code=422)
    if not counted:
        return _cancelled(request, visit, sheet)
    return redirect(request, "field:visit", visit=visit.id)


def photo(request: Request) -> Response:
    session = db(request)
    visit, sheet = own_visit(request, write=True)
    if sheet.submitted_at is not None or visit.status == VisitStatus.FINAL:
        raise Conflict("sheet_submitted")
    upload = form(request).get("photo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid("photo_empty")
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    campaign, _location = visits.place_of(session=session, visit=visit)
    evidence.add_photo(
        session=session,
        campaign=campaign,
        visit=visit,
        sheet=sheet,
        data=data,
        filename=upload.filename,
        caption=field(request, "caption"),
        actor=user(request).username,
    )
    if visit.status == VisitStatus.CANCELLED:  # the photo is kept (marked) for the lead auditor
        return _cancelled(request, visit, sheet)
    step_shown = whole_number(field(request, "step"), high=999) or 0
    return redirect(request, "field:visit", visit=visit.id, query={"step": step_shown})


def sheet_view(request: Request) -> Response:
    """One sheet read-only: your own, or (once both are in) your co-rater's; leads see any."""
    session, me = db(request), user(request)
    visit, target = visits.sheet_in_visit(
        session=session, visit_id=request.path_params["visit"], sheet_id=request.path_params["sheet"]
    )
    roles = member_roles(session=session, campaign_id=visit.campaign_id, user_id=me.id)
    lead = is_admin(me) or ("lead" in me.roles and "lead" in roles)
    visits.may_see_sheet(session=session, user=me, visit=visit, sheet=target, lead=lead)
    instrument = visits.instrument_of(session=session, visit=visit)
    return staff_render(
        request,
        "field/sheet.html",
        {
            "visit": visit,
            "sheet": target,
            "instrument": instrument,
            "campaign": visits.place_of(session=session, visit=visit)[0],
            "photos": evidence.of_sheets(session=session, sheets=[target])[target.id or 0],
            "view": FormState(instrument, request.state.locale, "", ""),
        },
    )


def evidence_file(request: Request) -> Response:
    found = evidence.open_file(
        session=db(request),
        user=user(request),
        evidence_id=request.path_params["evidence"],
        size=request.path_params["size"],
    )
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


routes = [
    Route("/f", endpoint(home), methods=["GET"], name="field:home"),
    Route("/f/outbox", endpoint(outbox_page), methods=["GET"], name="field:outbox"),
    Route("/f/v/{visit:id}", endpoint(visit_page), methods=["GET"], name="field:visit"),
    Route("/f/v/{visit:id}/checkin", endpoint(checkin), methods=["POST"], name="field:checkin"),
    Route("/f/v/{visit:id}/checkout", endpoint(checkout), methods=["POST"], name="field:checkout"),
    Route("/f/v/{visit:id}/step/{step:id}", endpoint(step), methods=["POST"], name="field:step"),
    Route("/f/v/{visit:id}/submit", endpoint(submit), methods=["POST"], name="field:submit"),
    Route("/f/v/{visit:id}/photo", endpoint(photo, reader=photo_form), methods=["POST"], name="field:photo"),
    Route("/f/v/{visit:id}/sheet/{sheet:id}", endpoint(sheet_view), methods=["GET"], name="field:sheet"),
    Route("/f/e/{evidence:id}/{size}", endpoint(evidence_file), methods=["GET"], name="field:evidence"),
]
