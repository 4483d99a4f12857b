"""The public certificate result page (seed L63): tier and radar chart behind the QR code on the certificate.

Reached only through an unguessable token; it shows no personal data and no raw responses.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.i18n import gettext
from survey_app.models import Campaign, GradeSnapshot
from survey_app.services.report_view import radar
from survey_app.templating import render
from survey_app.views import error_page


def _snapshot(request: Request, session: Session) -> tuple[GradeSnapshot, Campaign] | None:
    token = request.path_params["token"]
    if not 16 <= len(token) <= 40:
        return None
    snapshot = session.exec(select(GradeSnapshot).where(GradeSnapshot.certificate_token == token)).first()
    if snapshot is None:
        return None
    campaign = session.get(Campaign, snapshot.campaign_id)
    return (snapshot, campaign) if campaign else None


def certificate_page(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        found = _snapshot(request, session)
        if found is None:
            return error_page(request, 404, "certificate_not_found")
        snapshot, campaign = found
        result = snapshot.result
        svg = segno.make(str(request.url.replace(query="")), error="m").svg_inline(
            scale=4, border=2, omitsize=True
        )
        ctx = {
            "campaign": campaign,
            "snapshot": snapshot,
            "result": result,
            "radar": Markup(radar(result, request.state.locale, gettext("Dimension scores"))),
            "qr": Markup(svg),
            "scheme_name": result["scheme_name"],
        }
        return render(request, "certificate/page.html", ctx)


def certificate_qr(request: Request) -> Response:
    """The QR code printed on the certificate, as PNG or SVG."""
    with Session(request.app.state.engine) as session:
        if _snapshot(request, session) is None:
            return error_page(request, 404, "certificate_not_found")
    url = f"{request.app.state.settings.base_url}/cert/{request.path_params['token']}"
    buf = io.BytesIO()
    kind = request.path_params["fmt"]
    if kind not in ("png", "svg"):
        return error_page(request, 404, "not_found")
    segno.make(url, error="m").save(buf, kind=kind, scale=10, border=4)
    return Response(buf.getvalue(), media_type="image/png" if kind == "png" else "image/svg+xml")


routes = [
    Route("/cert/{token}", certificate_page, methods=["GET"], name="cert:page"),
    Route("/cert/{token}/qr.{fmt}", certificate_qr, methods=["GET"], name="cert:qr"),
]
