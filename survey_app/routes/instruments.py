"""Instruments: the bundled and uploaded versions; upload a new instrument file (every problem listed)."""

from __future__ import annotations

import functools

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.xlsform_export import write_xlsform
from survey_app.routes.staff import LEADS, staff_render
from survey_app.services.campaigns import instruments
from survey_app.services.campaigns.instruments import import_file, materialise
from survey_app.web.endpoint import db, endpoint, form, read_staff_form, user


def _page(
    request: Request,
    *,
    problems: list[tuple[str, str]] | None = None,
    added: str | None = None,
    notes: list[tuple[str, str]] | None = None,
    copied_from: str = "",
    stored_already: bool = False,
) -> Response:
    rows = instruments.all_versions(session=db(request))
    ctx = {
        "instruments": rows,
        "problems": problems or [],
        "added": added,
        "notes": notes or [],
        "copied_from": copied_from,
        "stored_already": stored_already,
    }
    return staff_render(request, "instruments/list.html", ctx, status_code=422 if problems else 200)


def instruments_page(request: Request) -> Response:
    return _page(request)


def instrument_upload(request: Request) -> Response:
    upload = form(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(
            request, problems=[("(file)", "choose an instrument file (.yaml) or an XLSForm (.xlsx)")]
        )
    me = user(request)
    result = import_file(
        session=db(request), filename=upload.filename, data=upload.file.read(), actor=me.username, user=me
    )
    if result.row is None:
        return _page(request, problems=result.problems, notes=result.notes)
    return _page(
        request,
        added=f"{result.row.instrument_id}@{result.row.version}",
        notes=result.notes,
        copied_from=result.copied_from,
        stored_already=result.stored_already,
    )


def instrument_xlsform(request: Request) -> Response:
    """Any stored instrument version as an XLSForm (for fieldwork in ODK / KoboToolbox)."""
    row = instruments.version_of(
        session=db(request),
        instrument_id=request.path_params["instrument"],
        version=request.path_params["version"],
    )
    name = f"{row.instrument_id}-v{row.version}.xlsx"
    return Response(
        write_xlsform(materialise(row)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


routes = [
    Route("/instruments", endpoint(instruments_page, roles=LEADS), methods=["GET"], name="instruments:list"),
    Route(
        "/instruments",
        endpoint(instrument_upload, roles=LEADS, reader=functools.partial(read_staff_form, uploads=True)),
        methods=["POST"],
        name="instruments:upload",
    ),
    Route(
        "/instruments/{instrument}/{version:id}.xlsx",
        endpoint(instrument_xlsform, roles=LEADS),
        methods=["GET"],
        name="instruments:xlsform",
    ),
]
