"""Instruments: the bundled and uploaded versions; upload a new instrument file (every problem listed)."""

from __future__ import annotations

import functools

from sqlmodel import col, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.loader import parse_instrument_text
from survey_app.endpoint import db, endpoint, form, read_staff_form, user
from survey_app.models import InstrumentVersion
from survey_app.routes.staff import LEADS, staff_render
from survey_app.services import audit
from survey_app.services.instruments import InstrumentConflict, register


def _page(
    request: Request, *, problems: list[tuple[str, str]] | None = None, added: str | None = None
) -> Response:
    rows = list(
        db(request).exec(
            select(InstrumentVersion).order_by(
                col(InstrumentVersion.instrument_id), col(InstrumentVersion.version)
            )
        )
    )
    ctx = {"instruments": rows, "problems": problems or [], "added": added}
    return staff_render(request, "instruments/list.html", ctx, status_code=422 if problems else 200)


def instruments_page(request: Request) -> Response:
    return _page(request)


def instrument_upload(request: Request) -> Response:
    upload = form(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, problems=[("(file)", "choose an instrument file (.yaml) to upload")])
    data = upload.file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _page(request, problems=[(upload.filename, "the file must be UTF-8 text")])
    instrument, problems = parse_instrument_text(text, source=upload.filename)
    if instrument is None:
        return _page(request, problems=[(f"{p.file}: {p.path}", p.reason) for p in problems])
    try:
        row = register(session=db(request), instrument=instrument)
    except InstrumentConflict as exc:
        return _page(request, problems=[(upload.filename, str(exc))])
    audit.append(
        db(request),
        actor=user(request).username,
        action="instrument.add",
        subject=f"instrument:{instrument.key}",
    )
    return _page(request, added=f"{row.instrument_id}@{row.version}")


routes = [
    Route("/instruments", endpoint(instruments_page, roles=LEADS), methods=["GET"], name="instruments:list"),
    Route(
        "/instruments",
        endpoint(instrument_upload, roles=LEADS, reader=functools.partial(read_staff_form, uploads=True)),
        methods=["POST"],
        name="instruments:upload",
    ),
]
