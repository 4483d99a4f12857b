"""Glue shared by the staff areas: render with the user and CSRF token, and load a campaign with access."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from survey_app.auth.sessions import csrf_token
from survey_app.services.campaigns import Access, AccessDenied, NotFound, access
from survey_app.templating import render
from survey_app.views import error_page


def staff_render(
    request: Request,
    page: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = {"user": request.state.user, "csrf": csrf_token(request), **context}
    return render(request, page, ctx, fragment=fragment, status_code=status_code)


def campaign_or_error(request: Request, session: Session, *, manage: bool = False) -> Access | Response:
    """The campaign named in the path if this user may see (or manage) it, else the error page."""
    try:
        return access(
            session=session, user=request.state.user, code=request.path_params["code"], manage=manage
        )
    except NotFound:
        return error_page(request, 404, "campaign_not_found")
    except AccessDenied:
        return error_page(request, 403, "forbidden_campaign")


async def form_dict(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The posted form as single values and as lists (for multi-selects)."""
    form = await request.form(max_files=5, max_fields=5000, max_part_size=2 * 1024 * 1024)
    lists: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            lists.setdefault(key, []).append(value)
    return {k: v[0] for k, v in lists.items()}, lists
