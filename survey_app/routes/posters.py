"""QR posters: a print-ready HTML page and a PNG per location, one PDF for the whole campaign."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import Unavailable
from survey_app.models import Campaign, Location
from survey_app.posters.content import POSTER_LOCALE, PosterText, poster_text
from survey_app.posters.fonts import FontMissing
from survey_app.posters.render import png_bytes
from survey_app.routes.locations import campaign_location
from survey_app.routes.staff import LEADS, campaign_access, download, staff_render
from survey_app.services.intake.links import short_url, survey_url
from survey_app.services.jobs import files
from survey_app.web.endpoint import db, endpoint


def _poster(request: Request) -> tuple[Campaign, Location, PosterText]:
    """The campaign and location named in the path (lead auditor's), with the poster's text."""
    campaign = campaign_access(request, manage=True).campaign
    location = campaign_location(request, campaign)
    settings = request.app.state.settings
    url = survey_url(settings.base_url, settings.secret_key, location)
    typed = short_url(settings.base_url, location)
    return campaign, location, poster_text(campaign, location, url, typed, locale=_poster_locale(request))


def _poster_locale(request: Request) -> str:
    """Posters are in Chinese, the residents' language, unless an English one is asked for (`?poster=en`)."""
    return "en" if request.query_params.get("poster") == "en" else POSTER_LOCALE


def poster_page(request: Request) -> Response:
    """Print-ready HTML (A4, @page CSS), the QR code as inline SVG."""
    campaign, location, text = _poster(request)
    svg = segno.make(text.url, error="m").svg_inline(scale=8, border=4, omitsize=True)
    ctx = {
        "campaign": campaign,
        "location": location,
        "text": text,
        "qr_svg": Markup(svg),
        "poster_lang": "en" if _poster_locale(request) == "en" else "zh-CN",
    }
    return staff_render(request, "posters/poster.html", ctx)


def poster_png(request: Request) -> Response:
    _campaign, location, text = _poster(request)
    try:
        data = png_bytes(text, font_setting=request.app.state.settings.cjk_font)
    except FontMissing:
        raise Unavailable("font_missing") from None
    headers = {
        "Content-Disposition": f'inline; filename="poster-{location.code}.png"',
        "Cache-Control": "no-store",
    }
    return Response(data, media_type="image/png", headers=headers)


def posters_pdf(request: Request) -> Response:
    """Every location's poster, one A4 page each, in one PDF."""
    campaign = campaign_access(request, manage=True).campaign
    return download(
        files.posters(session=db(request), campaign=campaign, settings=request.app.state.settings)
    )


routes = [
    Route("/c/{code}/posters.pdf", endpoint(posters_pdf, roles=LEADS), methods=["GET"], name="posters:pdf"),
    Route(
        "/c/{code}/posters/{loc}.png", endpoint(poster_png, roles=LEADS), methods=["GET"], name="posters:png"
    ),
    Route(
        "/c/{code}/posters/{loc}", endpoint(poster_page, roles=LEADS), methods=["GET"], name="posters:page"
    ),
]
