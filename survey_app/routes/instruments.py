"""Instruments: the bundled and uploaded versions; upload a new instrument file (every problem listed)."""

from __future__ import annotations

import functools

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.xlsform_export import write_xlsform
from survey_app.i18n import N_, gettext, pick
from survey_app.routes.staff import LEADS, staff_render
from survey_app.services.campaigns import instruments
from survey_app.services.campaigns.instruments import import_file, materialise
from survey_app.web.endpoint import db, endpoint, form, path_for, read_staff_form, user
from survey_app.web.form_messages import localise, localise_where
from survey_app.web.form_state import FormState


def _page(
    request: Request,
    *,
    problems: list[tuple[str, str]] | None = None,
    added: str | None = None,
    notes: list[tuple[str, str]] | None = None,
    copied_from: str = "",
    copy_key: str = "",
    stored_already: bool = False,
    preview: str = "",
) -> Response:
    rows = instruments.all_versions(session=db(request))
    ctx = {
        "instruments": rows,
        "problems": [(localise_where(w), localise(r)) for w, r in problems or []],
        "added": added,
        "notes": [(localise_where(w), localise(r)) for w, r in notes or []],
        "copied_from": copied_from,
        "copy_key": copy_key,
        "preview": preview,
        "stored_already": stored_already,
    }
    return staff_render(request, "instruments/list.html", ctx, status_code=422 if problems else 200)


def instruments_page(request: Request) -> Response:
    return _page(request)


def instrument_upload(request: Request) -> Response:
    upload = form(request).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        choose = gettext(N_("choose an XLSForm workbook (.xlsx) or an instrument file (.yaml)"))
        return _page(request, problems=[("(file)", choose)])
    me = user(request)
    result = import_file(
        session=db(request), filename=upload.filename, data=upload.file.read(), actor=me.username, user=me
    )
    if result.row is None:
        return _page(request, problems=result.problems, notes=result.notes)
    preview = path_for(
        request, "instruments:preview", instrument=result.row.instrument_id, version=result.row.version
    )
    return _page(
        request,
        preview=preview,
        added=gettext(N_("%(title)s, version %(n)s"))
        % {"title": pick(result.row.title_zh, result.row.title_en), "n": result.row.version},
        notes=result.notes,
        copied_from=result.copied_from,
        copy_key=f"{result.row.instrument_id}@{result.row.version}",
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


def instrument_preview(request: Request) -> Response:
    """The form as a respondent would see it, every part on one page, in the reader's language (the switch
    shows the other): nothing can be submitted, nothing is stored."""
    row = instruments.version_of(
        session=db(request),
        instrument_id=request.path_params["instrument"],
        version=request.path_params["version"],
    )
    instrument = materialise(row)
    view = FormState(instrument, request.state.locale, "", "", version=row.version)
    ctx = {"row": row, "view": view, "instrument": instrument}
    return staff_render(request, "instruments/preview.html", ctx)


routes = [
    Route("/instruments", endpoint(instruments_page, roles=LEADS), methods=["GET"], name="instruments:list"),
    Route(
        "/instruments",
        endpoint(instrument_upload, roles=LEADS, reader=functools.partial(read_staff_form, uploads=True)),
        methods=["POST"],
        name="instruments:upload",
    ),
    Route(
        "/instruments/{instrument}/{version:id}/preview",
        endpoint(instrument_preview, roles=LEADS),
        methods=["GET"],
        name="instruments:preview",
    ),
    Route(
        "/instruments/{instrument}/{version:id}.xlsx",
        endpoint(instrument_xlsform, roles=LEADS),
        methods=["GET"],
        name="instruments:xlsform",
    ),
]
