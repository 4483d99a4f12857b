"""The public certificate result page (seed L63): tier and radar chart behind the QR code on the certificate.

Reached only through an unguessable token; it shows no personal data and no raw responses.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from survey_app import keyring
from survey_app.errors import NotFound
from survey_app.i18n import gettext
from survey_app.models import Campaign, GradeSnapshot
from survey_app.services.decisions.decide import latest as latest_decision
from survey_app.services.grades import certificates, locks
from survey_app.services.grades.presentation import radar
from survey_app.web.endpoint import db, endpoint
from survey_app.web.templating import render


def _snapshot(request: Request) -> tuple[GradeSnapshot, Campaign]:
    return locks.certificate(session=db(request), token=request.path_params["token"])


def certificate_url(request: Request, token: str) -> str:
    """The certificate page's public address, from MINGCHA_BASE_URL (never from the request's Host)."""
    base: str = request.app.state.settings.base_url
    return base + str(request.app.url_path_for("cert:page", token=token))


def certificate_page(request: Request) -> Response:
    snapshot, campaign = _snapshot(request)
    result = snapshot.result
    svg = segno.make(certificate_url(request, request.path_params["token"]), error="m").svg_inline(
        scale=4, border=2, omitsize=True
    )
    ctx = {
        "campaign": campaign,
        "snapshot": snapshot,
        "result": result,
        "radar": Markup(radar(result, request.state.locale, gettext("Dimension scores"))),
        "qr": Markup(svg),
        "scheme_name": result["scheme_name"],
        "base": request.app.state.settings.base_url,
        "decision": latest_decision(session=db(request), campaign_id=campaign.id),
    }
    return render(request, "certificate/page.html", ctx)


def certificate_qr(request: Request) -> Response:
    """The QR code printed on the certificate, as PNG or SVG."""
    kind = request.path_params["fmt"]
    if kind not in ("png", "svg"):
        raise NotFound("not_found")
    _snapshot(request)
    buf = io.BytesIO()
    segno.make(certificate_url(request, request.path_params["token"]), error="m").save(
        buf, kind=kind, scale=10, border=4
    )
    return Response(buf.getvalue(), media_type="image/png" if kind == "png" else "image/svg+xml")


def _jose(text: str, name: str) -> Response:
    return Response(
        text,
        media_type=certificates.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-cache"},
    )


def certificate_jws(request: Request) -> Response:
    """The signed snapshot of the locked grade (a compact JWS, RFC 7515): anyone can check it offline."""
    snapshot, _campaign = _snapshot(request)
    if not snapshot.certificate_jws:
        raise NotFound("certificate_not_found")
    return _jose(snapshot.certificate_jws, f"certificate-{snapshot.certificate_number}.jws")


def status_jws(request: Request) -> Response:
    """The certificate's current status (valid, suspended, withdrawn), signed apart from the snapshot."""
    snapshot, _campaign = _snapshot(request)
    if not snapshot.status_jws:
        raise NotFound("certificate_not_found")
    return _jose(snapshot.status_jws, f"status-{snapshot.certificate_number}.jws")


def jwks(request: Request) -> Response:
    """The certification body's public keys, old ones included (RFC 7517)."""
    return JSONResponse(
        keyring.active().jwks(),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "max-age=300"},
    )


routes = [
    Route("/cert/{token}", endpoint(certificate_page, staff=False), methods=["GET"], name="cert:page"),
    Route("/cert/{token}/qr.{fmt}", endpoint(certificate_qr, staff=False), methods=["GET"], name="cert:qr"),
    Route(
        "/cert/{token}/certificate.jws",
        endpoint(certificate_jws, staff=False),
        methods=["GET"],
        name="cert:jws",
    ),
    Route("/cert/{token}/status.jws", endpoint(status_jws, staff=False), methods=["GET"], name="cert:status"),
    Route("/.well-known/jwks.json", endpoint(jwks, staff=False), methods=["GET"], name="cert:jwks"),
]
