"""Instruments: the bundled and uploaded versions; upload a new instrument file (every problem listed)."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.loader import parse_instrument_text
from survey_app.auth.guard import guarded
from survey_app.models import InstrumentVersion
from survey_app.routes.staff import staff_render
from survey_app.services.demo import register_bundled
from survey_app.services.instruments import register

LEADS = frozenset({"lead", "admin"})


def _page(request: Request, **extra) -> Response:  # type: ignore[no-untyped-def]
    with Session(request.app.state.engine) as session:
        register_bundled(session=session)
        session.commit()
        rows = list(
            session.exec(
                select(InstrumentVersion).order_by(
                    col(InstrumentVersion.instrument_id), col(InstrumentVersion.version)
                )
            )
        )
        ctx = {"instruments": rows, "problems": [], "added": None, **extra}
        return staff_render(
            request, "instruments/list.html", ctx, status_code=422 if ctx["problems"] else 200
        )


def instruments_page(request: Request) -> Response:
    return _page(request)


async def instrument_upload(request: Request) -> Response:
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        await form.close()
        return _page(request, problems=[("(file)", "choose an instrument file (.yaml) to upload")])
    data = await upload.read()
    await form.close()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _page(request, problems=[(upload.filename, "the file must be UTF-8 text")])
    instrument, problems = parse_instrument_text(text, source=upload.filename)
    if instrument is None:
        return _page(request, problems=[(f"{p.file}: {p.path}", p.reason) for p in problems])
    with Session(request.app.state.engine) as session:
        try:
            row = register(session=session, instrument=instrument)
            session.commit()
        except ValueError as exc:
            return _page(request, problems=[(upload.filename, str(exc))])
        added = f"{row.instrument_id}@{row.version}"
    return _page(request, added=added)


routes = [
    Route("/instruments", guarded(instruments_page, roles=LEADS), methods=["GET"], name="instruments:list"),
    Route(
        "/instruments", guarded(instrument_upload, roles=LEADS), methods=["POST"], name="instruments:upload"
    ),
]
