"""Locations of a campaign: list with survey links, import (CSV/xlsx), generate, rotate a token."""

from __future__ import annotations

from sqlmodel import Session, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from survey_app.auth.guard import guarded
from survey_app.i18n import N_, gettext
from survey_app.models import Location
from survey_app.routes.staff import campaign_or_error, staff_render
from survey_app.services import location_import as imp
from survey_app.services.locations import add_locations, campaign_locations, rotate_token
from survey_app.services.survey_links import survey_url
from survey_app.views import error_page

LEADS = frozenset({"lead", "admin"})


def _page(request: Request, session: Session, access, **extra) -> Response:  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    locations = campaign_locations(session=session, campaign=access.campaign)
    links = {loc.id: survey_url(settings.base_url, settings.secret_key, loc) for loc in locations}
    ctx = {
        "campaign": access.campaign,
        "locations": locations,
        "links": links,
        "import_errors": [],
        "import_note": None,
        "imported": None,
        **extra,
    }
    status = 422 if ctx["import_errors"] else 200
    return staff_render(request, "campaigns/locations.html", ctx, status_code=status)


def locations_page(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        return _page(request, session, found)


async def locations_import(request: Request) -> Response:
    """Import every row or none; each bad row is listed with its number and reason."""
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) and upload.filename else ""
    await form.close()
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        existing = {loc.code for loc in campaign_locations(session=session, campaign=found.campaign)}
        table, result = imp.read_table(filename, data) if data else ([], imp.ImportResult())
        if not data:
            result.errors.append((0, N_("Choose a file to upload."), {}))
        if not result.errors:
            imp.parse_locations(table, result, existing)
        messages = [
            (row, gettext(msg) % params if params else gettext(msg)) for row, msg, params in result.errors
        ]
        note = gettext(result.note[0]) % result.note[1] if result.note else None
        if result.errors:
            return _page(request, session, found, import_errors=messages, import_note=note)
        count = add_locations(session=session, campaign=found.campaign, rows=result.rows)
        return _page(request, session, found, imported=count, import_note=note)


async def locations_generate(request: Request) -> Response:
    """Quick generator: N buildings x M entrances (or floors)."""
    form = await request.form(max_fields=20)
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        try:
            buildings, per = int(str(form.get("buildings"))), int(str(form.get("per_building")))
            if not (1 <= buildings <= 200 and 1 <= per <= 100):
                raise ValueError
        except ValueError:
            message = gettext("Enter 1-200 buildings and 1-100 entrances or floors per building.")
            return _page(request, session, found, import_errors=[(0, message)])
        rows = imp.generated(buildings, per, str(form.get("unit") or "entrance"))
        existing = {loc.code for loc in campaign_locations(session=session, campaign=found.campaign)}
        clash = [r["code"] for r in rows if r["code"] in existing]
        if clash:
            message = gettext("These codes already exist: %(codes)s") % {"codes": ", ".join(clash[:10])}
            return _page(request, session, found, import_errors=[(0, message)])
        count = add_locations(session=session, campaign=found.campaign, rows=rows)
        return _page(request, session, found, imported=count)


async def location_rotate(request: Request) -> Response:
    """A new token for one location; its old poster then says it was replaced."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        found = campaign_or_error(request, session, manage=True)
        if isinstance(found, Response):
            return found
        location = session.exec(
            select(Location).where(
                Location.campaign_id == found.campaign.id, Location.code == request.path_params["loc"]
            )
        ).first()
        if location is None:
            return error_page(request, 404, "not_found")
        rotate_token(session=session, location=location)
        return RedirectResponse(f"/c/{found.campaign.code}/locations#loc-{location.code}", status_code=303)


routes = [
    Route(
        "/c/{code}/locations", guarded(locations_page, roles=LEADS), methods=["GET"], name="locations:list"
    ),
    Route(
        "/c/{code}/locations/import",
        guarded(locations_import, roles=LEADS),
        methods=["POST"],
        name="locations:import",
    ),
    Route(
        "/c/{code}/locations/generate",
        guarded(locations_generate, roles=LEADS),
        methods=["POST"],
        name="locations:generate",
    ),
    Route(
        "/c/{code}/locations/{loc}/rotate",
        guarded(location_rotate, roles=LEADS),
        methods=["POST"],
        name="locations:rotate",
    ),
]
