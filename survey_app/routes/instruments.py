"""Instruments: the bundled and uploaded versions; upload a new instrument file (every problem listed)."""

from __future__ import annotations

import functools

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.xlsform_export import write_xlsform
from forms.xlsform_media import MAX_FILES
from survey_app.errors import NotFound
from survey_app.i18n import N_, gettext, pick
from survey_app.models import Blob
from survey_app.routes.staff import LEADS, staff_render
from survey_app.services.campaigns import instruments
from survey_app.services.campaigns.instruments import import_file, materialise
from survey_app.services.field.evidence import put_blob
from survey_app.web.endpoint import db, endpoint, field, form, path_for, read_staff_form, user
from survey_app.web.form_messages import localise, localise_where
from survey_app.web.form_state import FormState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    droppable: list[tuple[str, str]] | None = None,
    dropped: list[tuple[str, str]] | None = None,
    upload: tuple[str, str] = ("", ""),
    kept_media: list[tuple[str, str]] | None = None,
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
        "droppable": [(localise_where(w), localise(r)) for w, r in droppable or []],
        "dropped": [(localise_where(w), localise(r)) for w, r in dropped or []],
        "upload": upload,  # (sha256, file name) of a refused workbook kept for "import without it"
        "kept_media": kept_media or [],  # and of the files it came with
    }
    return staff_render(request, "instruments/list.html", ctx, status_code=422 if problems else 200)


def instruments_page(request: Request) -> Response:
    return _page(request)


def instrument_upload(request: Request) -> Response:
    """An upload, or ("import without it") the workbook refused a moment ago, its unsupported parts left out
    as its confirmation page listed them."""
    me, session = user(request), db(request)
    kept = field(request, "without")
    media: dict[str, bytes] = {}
    if kept:
        blob = session.get(Blob, kept[:64])
        if blob is None:
            raise NotFound("not_found")
        filename, data = field(request, "filename")[:200] or "form.xlsx", blob.data
        for entry in form(request).getlist("media")[:MAX_FILES]:
            key, _, name = str(entry).partition(":")
            kept_file = session.get(Blob, key[:64])
            if kept_file is None:
                raise NotFound("not_found")
            media[name[:200]] = kept_file.data
    else:
        uploads = [u for u in form(request).getlist("file") if isinstance(u, UploadFile) and u.filename]
        books = [u for u in uploads if not str(u.filename).lower().endswith(".csv")]
        if not books:
            choose = gettext(N_("choose an XLSForm workbook (.xlsx) or an instrument file (.yaml)"))
            return _page(request, problems=[("(file)", choose)])
        filename, data = str(books[0].filename), books[0].file.read()
        media = {str(u.filename).rsplit("/", 1)[-1]: u.file.read() for u in uploads if u is not books[0]}
    result = import_file(
        session=session,
        filename=filename,
        data=data,
        actor=me.username,
        user=me,
        without_unsupported=bool(kept),
        media=media,
    )
    if result.row is None:
        upload_key = ("", "")
        kept_media = []
        if result.droppable:  # kept (by its hash) for the confirmation's second step, with its files
            upload_key = (put_blob(session=session, data=data, media_type=XLSX), filename)
            kept_media = [
                (put_blob(session=session, data=d, media_type="text/csv"), n) for n, d in media.items()
            ]
        return _page(
            request,
            problems=result.problems,
            notes=result.notes,
            droppable=result.droppable,
            upload=upload_key,
            kept_media=kept_media,
        )
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
        dropped=result.dropped,
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
    wanted = request.query_params.get("form_lang", "")
    form_lang = wanted if wanted in instrument.languages else instrument.default_language
    view = FormState(instrument, request.state.locale, "", "", version=row.version, form_lang=form_lang)
    ctx = {"row": row, "view": view, "instrument": instrument}
    return staff_render(request, "instruments/preview.html", ctx)


routes = [
    Route("/instruments", endpoint(instruments_page, roles=LEADS), methods=["GET"], name="instruments:list"),
    Route(
        "/instruments",
        endpoint(
            instrument_upload,
            roles=LEADS,
            reader=functools.partial(read_staff_form, uploads=True, max_files=MAX_FILES + 1),  # + its CSVs
        ),
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
