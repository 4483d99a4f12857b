"""QR posters: a print-ready HTML page and a PNG per location, one PDF for the whole campaign."""

from __future__ import annotations

import segno
from markupsafe import Markup
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.auth.guard import guarded
from survey_app.models import Campaign, Location
from survey_app.posters.content import poster_text
from survey_app.posters.fonts import FontMissing
from survey_app.posters.render import pdf_bytes, png_bytes
from survey_app.routes.staff import campaign_or_error, staff_render
from survey_app.services.locations import campaign_locations
from survey_app.services.survey_links import survey_url
from survey_app.views import error_page

LEADS = frozenset({"lead", "admin"})


def _poster(request: Request, session: Session) -> tuple[Campaign, Location, str] | Response:
    """The campaign and location named in the path (lead auditor's), with the location's survey URL."""
    found = campaign_or_error(request, session, manage=True)
    if isinstance(found, Response):
        return found
    code = request.path_params["loc"]
    location = session.exec(
        select(Location).where(Location.campaign_id == found.campaign.id, Location.code == code)
    ).first()
    if location is None:
        return error_page(request, 404, "not_found")
    settings = request.app.state.settings
    return found.campaign, location, survey_url(settings.base_url, settings.secret_key, location)


def poster_page(request: Request) -> Response:
    """Print-ready HTML (A4, @page CSS), the QR code as inline SVG."""
    with Session(request.app.state.engine) as session:
        found = _poster(request, session)
        if isinstance(found, Response):
            return found
        campaign, location, url = found
        svg = segno.make(url, error="m").svg_inline(scale=8, border=4, omitsize=True)
        ctx = {
            "campaign": campaign,
            "location": location,
            "text": poster_text(campaign, location, url),
            "qr_svg": Markup(svg),
        }
        return staff_render(request, "posters/poster.html", ctx)


def poster_png(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        found = _poster(request, session)
        if isinstance(found, Response):
            return found
        campaign, location, url = found
        text = poster_text(campaign, location, url)
    try:
        data = png_bytes(text, font_setting=request.app.state.settings.cjk_font)
    except FontMissing:
        return error_page(request, 503, "font_missing")
    headers = {
        "Content-Disposition": f'inline; filename="poster-{location.code}.png"',
        "Cache-Control": "no-store",
    }
    return Response(data, media_type="image/png", headers=headers)


async def posters_pdf(request: Request) -> Response:
    """Every location's poster, one A4 page each, in one PDF."""
    settings = request.app.state.settings

    def build() -> tuple[bytes, str] | Response:
        with Session(request.app.state.engine) as session:
            found = campaign_or_error(request, session, manage=True)
            if isinstance(found, Response):
                return found
            texts = [
                poster_text(found.campaign, loc, survey_url(settings.base_url, settings.secret_key, loc))
                for loc in campaign_locations(session=session, campaign=found.campaign)
            ]
            code = found.campaign.code
        if not texts:
            return error_page(request, 404, "no_locations")
        try:
            return pdf_bytes(texts, font_setting=settings.cjk_font), code
        except FontMissing:
            return error_page(request, 503, "font_missing")

    built = await run_in_threadpool(build)
    if isinstance(built, Response):
        return built
    data, code = built
    headers = {
        "Content-Disposition": f'attachment; filename="posters-{code}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(data, media_type="application/pdf", headers=headers)


routes = [
    Route("/c/{code}/posters.pdf", guarded(posters_pdf, roles=LEADS), methods=["GET"], name="posters:pdf"),
    Route(
        "/c/{code}/posters/{loc}.png", guarded(poster_png, roles=LEADS), methods=["GET"], name="posters:png"
    ),
    Route("/c/{code}/posters/{loc}", guarded(poster_page, roles=LEADS), methods=["GET"], name="posters:page"),
]
