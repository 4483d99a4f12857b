"""Glue shared by the staff areas: render with the user and CSRF token, and the campaign named in the path."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from survey_app.auth.sessions import csrf_token
from survey_app.services.campaigns.access import Access, access
from survey_app.services.jobs.files import Output
from survey_app.web.endpoint import db, user
from survey_app.web.templating import render

LEADS = frozenset({"lead", "admin"})


def staff_render(
    request: Request,
    page: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a staff page with the user and the session's CSRF token."""
    notice = request.session.pop("failed_logins", None)  # shown once, after the login it concerns
    ctx = {"user": request.state.user, "csrf": csrf_token(request), "failed_logins": notice, **context}
    return render(request, page, ctx, fragment=fragment, status_code=status_code)


def campaign_access(request: Request, *, manage: bool = False) -> Access:
    """The campaign named in the path, if this user may see (or manage) it; raises NotFound / Forbidden."""
    return access(session=db(request), user=user(request), code=request.path_params["code"], manage=manage)


def confirm_page(
    request: Request,
    *,
    title: str,
    body: str,
    action: str,
    button: str,
    back: str,
    fields: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page asking before a destructive step (a plain page: works without JavaScript); its button posts to
    `action` with `fields` and confirm=yes, "cancel" goes back."""
    confirm = {
        "title": title,
        "body": body,
        "action": action,
        "button": button,
        "back": back,
        "fields": fields or {},
    }
    return staff_render(request, "confirm.html", {"confirm": confirm})


def download(found: Output) -> Response:
    """A made file as an attachment, never cached; a name outside ASCII (an uploaded "整改报告.pdf") is sent
    as RFC 6266's filename* beside an ASCII stand-in."""
    from urllib.parse import quote

    plain = found.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f'attachment; filename="{plain}"'
    if plain != found.filename:
        disposition += f"; filename*=UTF-8''{quote(found.filename)}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(found.data, media_type=found.media_type, headers=headers)
