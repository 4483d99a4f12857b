"""Locations of a campaign: list with survey links, import (CSV/xlsx), generate, edit, deactivate or
reactivate, delete one added by mistake, rotate a token."""

from __future__ import annotations

import functools

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import Invalid
from survey_app.i18n import N_, gettext
from survey_app.models import Campaign, Location
from survey_app.routes.staff import LEADS, campaign_access, confirm_page, staff_render
from survey_app.services.campaigns import location_import, locations
from survey_app.services.campaigns.locations import (
    LocationEdit,
    add_locations,
    campaign_locations,
    location_by_code,
    rotate_token,
)
from survey_app.services.grades import locks
from survey_app.services.grades.schemes import campaign_rules
from survey_app.services.intake.links import survey_url
from survey_app.web.endpoint import db, endpoint, field, form, path_for, read_staff_form, redirect, user

MAX_GENERATED = 2000


def _page(
    request: Request,
    campaign: Campaign,
    *,
    import_errors: list[tuple[int, str]] | None = None,
    import_note: str | None = None,
    imported: int | None = None,
) -> Response:
    settings = request.app.state.settings
    rows = campaign_locations(session=db(request), campaign=campaign)
    links = {loc.id: survey_url(settings.base_url, settings.secret_key, loc) for loc in rows}
    ctx = {
        "campaign": campaign,
        "locations": rows,
        "links": links,
        "import_errors": import_errors or [],
        "import_note": import_note,
        "imported": imported,
        # new locations start empty: say at once that each must reach the scheme's per-location minimum
        "per_location": campaign_rules(session=db(request), campaign=campaign).min_sample_location
        if imported
        else 0,
    }
    return staff_render(request, "campaigns/locations.html", ctx, status_code=422 if import_errors else 200)


def locations_page(request: Request) -> Response:
    return _page(request, campaign_access(request, manage=True).campaign)


def locations_import(request: Request) -> Response:
    """Import every row or none; each bad row is listed with its number and reason."""
    campaign = campaign_access(request, manage=True).campaign
    upload = form(request).get("file")
    data = upload.file.read() if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) and upload.filename else ""
    existing = {loc.code for loc in campaign_locations(session=db(request), campaign=campaign)}
    table, result = (
        location_import.read_table(filename, data) if data else ([], location_import.ImportResult())
    )
    if not data:
        result.errors.append((0, N_("Choose a file to upload."), {}))
    if not result.errors:
        location_import.parse_locations(table, result, existing)
    messages = [
        (row, gettext(msg) % params if params else gettext(msg)) for row, msg, params in result.errors
    ]
    note = gettext(result.note[0]) % result.note[1] if result.note else None
    if result.errors:
        return _page(request, campaign, import_errors=messages, import_note=note)
    count = add_locations(
        session=db(request), campaign=campaign, rows=result.rows, actor=user(request).username
    )
    return _page(request, campaign, imported=count, import_note=note)


def locations_generate(request: Request) -> Response:
    """Quick generator: N buildings x M entrances (or floors)."""
    campaign = campaign_access(request, manage=True).campaign
    try:
        buildings, per = int(field(request, "buildings")), int(field(request, "per_building"))
        if not (1 <= buildings <= 200 and 1 <= per <= 100 and buildings * per <= MAX_GENERATED):
            raise ValueError
    except ValueError:
        message = gettext(
            "Enter 1-200 buildings and 1-100 entrances or floors per building "
            "(at most %(max)s locations at once)."
        ) % {"max": MAX_GENERATED}
        return _page(request, campaign, import_errors=[(0, message)])
    rows = location_import.generated(buildings, per, field(request, "unit") or "entrance")
    existing = {loc.code for loc in campaign_locations(session=db(request), campaign=campaign)}
    clash = [r.code for r in rows if r.code in existing]
    if clash:
        message = gettext("These codes already exist: %(codes)s") % {"codes": ", ".join(clash[:10])}
        return _page(request, campaign, import_errors=[(0, message)])
    count = add_locations(session=db(request), campaign=campaign, rows=rows, actor=user(request).username)
    return _page(request, campaign, imported=count)


def campaign_location(request: Request, campaign: Campaign) -> Location:
    """The location named in the path, in this campaign."""
    return location_by_code(session=db(request), campaign=campaign, code=request.path_params["loc"])


def location_rotate_confirm(request: Request) -> Response:
    """Replacing a QR code kills the printed poster: asked first."""
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    return confirm_page(
        request,
        title=gettext(N_("Replace the QR code of %(name)s?")) % {"name": location.name},
        body=gettext(
            N_(
                "The poster printed for this location stops working at once (it then says it was replaced), "
                "and so does its typed code. Print and hang the new poster."
            )
        ),
        action=path_for(request, "locations:rotate", code=campaign.code, loc=location.code),
        button=gettext(N_("Replace the QR code")),
        back=path_for(request, "locations:list", code=campaign.code),
    )


def location_rotate(request: Request) -> Response:
    """A new token for one location; its old poster then says it was replaced."""
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    rotate_token(session=db(request), location=location, actor=user(request).username)
    return redirect(request, "locations:list", code=campaign.code, fragment=f"loc-{location.code}")


def _edit_page(
    request: Request, campaign: Campaign, location: Location, *, problem: str = "", status_code: int = 200
) -> Response:
    values = form(request) if request.method == "POST" else {}
    ctx = {
        "campaign": campaign,
        "location": location,
        "values": {k: str(values.get(k, "")) for k in locations.EDITABLE} if values else None,
        "problem": problem,
        "responses": locations.responses_at(session=db(request), location=location),
        "locked": locks.is_locked(session=db(request), campaign=campaign),
    }
    return staff_render(request, "campaigns/location_edit.html", ctx, status_code=status_code)


def location_edit_page(request: Request) -> Response:
    """Correct a location (name, building, floor or entrance, target), take it out of use, or delete it."""
    campaign = campaign_access(request, manage=True).campaign
    return _edit_page(request, campaign, campaign_location(request, campaign))


def location_edit(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    try:
        edit = LocationEdit.from_form(lambda name: field(request, name))
    except Invalid as exc:
        return _edit_page(request, campaign, location, problem=exc.code, status_code=422)
    locations.edit_location(session=db(request), location=location, edit=edit, actor=user(request).username)
    return redirect(request, "locations:list", code=campaign.code, fragment=f"loc-{location.code}")


def location_active(request: Request) -> Response:
    """Deactivate (with a reason) or reactivate a location; its responses stay."""
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    active = field(request, "active") == "yes"
    try:
        locations.set_active(
            session=db(request),
            location=location,
            active=active,
            reason=field(request, "reason"),
            actor=user(request).username,
        )
    except Invalid as exc:
        return _edit_page(request, campaign, location, problem=exc.code, status_code=422)
    return redirect(request, "locations:list", code=campaign.code, fragment=f"loc-{location.code}")


def location_delete(request: Request) -> Response:
    """Delete a location that never had a response or a visit (added by mistake)."""
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    locations.delete_location(session=db(request), location=location, actor=user(request).username)
    return redirect(request, "locations:list", code=campaign.code)


routes = [
    Route(
        "/c/{code}/locations", endpoint(locations_page, roles=LEADS), methods=["GET"], name="locations:list"
    ),
    Route(
        "/c/{code}/locations/import",
        endpoint(locations_import, roles=LEADS, reader=functools.partial(read_staff_form, uploads=True)),
        methods=["POST"],
        name="locations:import",
    ),
    Route(
        "/c/{code}/locations/generate",
        endpoint(locations_generate, roles=LEADS),
        methods=["POST"],
        name="locations:generate",
    ),
    Route(
        "/c/{code}/locations/{loc}/rotate",
        endpoint(location_rotate_confirm, roles=LEADS),
        methods=["GET"],
        name="locations:rotate_confirm",
    ),
    Route(
        "/c/{code}/locations/{loc}/rotate",
        endpoint(location_rotate, roles=LEADS),
        methods=["POST"],
        name="locations:rotate",
    ),
    Route(
        "/c/{code}/locations/{loc}/edit",
        endpoint(location_edit_page, roles=LEADS),
        methods=["GET"],
        name="locations:edit_page",
    ),
    Route(
        "/c/{code}/locations/{loc}/edit",
        endpoint(location_edit, roles=LEADS),
        methods=["POST"],
        name="locations:edit",
    ),
    Route(
        "/c/{code}/locations/{loc}/active",
        endpoint(location_active, roles=LEADS),
        methods=["POST"],
        name="locations:active",
    ),
    Route(
        "/c/{code}/locations/{loc}/delete",
        endpoint(location_delete, roles=LEADS),
        methods=["POST"],
        name="locations:delete",
    ),
]
