"""The public survey: open by location token, page through sections, submit exactly once."""

from __future__ import annotations

from collections import OrderedDict

from sqlmodel import Session, select
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from forms import Instrument
from forms.answers import check_answers
from survey_app import i18n
from survey_app.codes import receipt_key
from survey_app.endpoint import db, endpoint
from survey_app.errors import Forbidden, Gone, NotFound
from survey_app.models import InstrumentVersion, Submission, ident, utcnow
from survey_app.outbox import NOTICE_HEADER, captured_at
from survey_app.request_body import FormBody, read_form
from survey_app.services import survey_form as sf
from survey_app.services.campaigns import closed_on
from survey_app.services.instruments import materialise
from survey_app.services.submissions import SubmissionMeta, campaign_state, find_by_key, store_response
from survey_app.services.survey_links import SurveyTarget, by_short_code, is_replaced, resolve, survey_url
from survey_app.templating import is_htmx, localtime, render, render_text


def _target(request: Request) -> SurveyTarget:
    """What the path's token opens, or the reason it opens nothing (raised)."""
    settings = request.app.state.settings
    token = request.path_params["token"]
    target = resolve(session=db(request), secret=settings.secret_key, token=token)
    if target is None:
        if is_replaced(session=db(request), secret=settings.secret_key, token=token):
            raise Gone("token_replaced")
        raise NotFound("survey_not_found")
    return target


def _open_target(request: Request) -> SurveyTarget:
    """The survey behind the token, refusing closed and not yet started campaigns."""
    target = _target(request)
    state = campaign_state(target.campaign)
    campaign = target.campaign
    if state == "closed":
        raise Gone("survey_closed", deadline=localtime(closed_on(campaign), campaign.timezone))
    if state == "not_started":
        raise Forbidden("survey_not_started", start=localtime(campaign.starts_at, campaign.timezone))
    return target


def _page(request: Request, target: SurveyTarget, view: sf.FormView, status: int = 200) -> Response:
    ctx = {"view": view, "campaign": target.campaign, "location": target.location}
    return render(request, "survey/page.html", ctx, fragment="survey/_form.html", status_code=status)


TOKEN_SLOT = "__MINGCHA_FORM_TOKEN__"
_pages: OrderedDict[tuple[object, ...], str] = OrderedDict()
PAGE_CACHE = 512


def _blank_page(request: Request, target: SurveyTarget) -> str:
    """The survey page as a first view shows it, with a slot for the form token: rendered once per location,
    campaign state, instrument version and language, then reused (a page view only signs a new token)."""
    campaign, location = target.campaign, target.location
    key = (
        request.url.path, request.state.locale, target.instrument_row.id, location.id, location.name,
        campaign.id, campaign.name_zh, campaign.name_en, campaign.organisation, campaign.deadline,
        campaign.timezone, campaign.status,
    )  # fmt: skip
    page = _pages.get(key)
    if page is None:
        view = sf.FormView(
            instrument=target.instrument,
            locale=request.state.locale,
            action=str(request.url_for("survey:submit", token=request.path_params["token"]).path),
            form_token=TOKEN_SLOT,
            version=ident(target.instrument_row),
        )
        page = render_text(
            request, "survey/page.html", {"view": view, "campaign": campaign, "location": location}
        )
        _pages[key] = page
        while len(_pages) > PAGE_CACHE:
            _pages.popitem(last=False)
    return page


def survey_page(request: Request) -> Response:
    """Show the survey for a location token."""
    settings = request.app.state.settings
    target = _open_target(request)
    locale = request.state.locale
    token = sf.new_form_token(settings.secret_key, utcnow(), ident(target.location))
    if is_htmx(request):
        view = sf.FormView(
            instrument=target.instrument,
            locale=locale,
            action=str(request.url_for("survey:submit", token=request.path_params["token"]).path),
            form_token=token,
            version=ident(target.instrument_row),
        )
        response = _page(request, target, view)
    else:
        response = HTMLResponse(_blank_page(request, target).replace(TOKEN_SLOT, token))
        response.headers["Vary"] = "HX-Request, Cookie"
    if "lang" in request.query_params and i18n.normalise(request.query_params["lang"]):
        response.set_cookie(i18n.COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


async def _survey_body(request: Request) -> FormBody:
    settings = request.app.state.settings
    return await read_form(request, soft_limit=settings.max_body_bytes, hard_limit=settings.hard_body_bytes)


def survey_submit(request: Request) -> Response:
    """Page forward/back with inline validation, or submit; a repeated submission lands once."""
    settings = request.app.state.settings
    body: FormBody = request.state.form
    fields, oversize = body.fields, body.oversize
    token = request.path_params["token"]
    locale = request.state.locale
    session = db(request)
    target = _open_target(request)
    form = sf.read_form_token(settings.secret_key, sf.first(fields, "_form"), ident(target.location))
    if form is not None:
        stored = find_by_key(session=session, key=sf.draft_key(form[0], sf.first(fields, "_draft")))
        if stored is not None:
            return _thanks_redirect(request, token, stored)
    step = sf.first(fields, "_step") or "submit"
    row, instrument = _answered_version(session, target, sf.first(fields, "_version"))
    try:
        page = max(0, min(int(sf.first(fields, "_page") or 0), len(instrument.sections) - 1))
    except ValueError:
        page = 0
    require = None
    if step == "next":
        require = {item.id for item in instrument.sections[page].items}
    elif step in ("back", "refresh"):
        require = set()
    check = check_answers(instrument, fields, max_text=settings.max_text_chars, require=require)
    if oversize:
        check.form_errors.append(("body_too_large", {}))
    if form is None:
        check.form_errors.append(("expired_form", {}))
    view = sf.FormView(
        instrument=instrument,
        locale=locale,
        action=str(request.url_for("survey:submit", token=token).path),
        form_token=sf.first(fields, "_form")
        if form
        else sf.new_form_token(settings.secret_key, utcnow(), ident(target.location)),
        client_id=sf.client_id(sf.first(fields, "_client_id")),
        item_ms=sf.first(fields, "_item_ms")[:8000],
        version=ident(row),
    )
    sf.view_from_check(view, check)
    if step in ("back", "refresh", "next"):
        moved = {"back": page - 1, "refresh": page, "next": page + 1}[step]
        if step == "next" and not check.ok:
            view.page = page
            return _page(request, target, view, status=422)
        view.page = max(0, min(moved, len(instrument.sections) - 1))
        view.errors, view.form_errors = ({}, []) if step != "next" else (view.errors, view.form_errors)
        return _page(request, target, view)
    if not check.ok or form is None:
        view.page = sf.first_error_page(instrument, check)
        refused = _page(request, target, view, status=422)
        refused.headers[NOTICE_HEADER] = "expired_form" if form is None else "answers_incomplete"
        return refused
    answered = max(captured_at(request), form[1])  # never before the form was given out
    stored, created = store_response(
        session=session,
        campaign=target.campaign,
        location=target.location,
        instrument_version_id=ident(row),
        instrument=instrument,
        values=check.values,
        meta=SubmissionMeta(
            idempotency_key=sf.draft_key(form[0], sf.first(fields, "_draft")),
            channel="online",
            client_id=view.client_id or request.cookies.get("mc_cid", ""),
            ip=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            locale=locale,
            started_at=sf.started_at(form[1], answered, sf.first(fields, "_elapsed_ms")),
            item_ms=sf.item_times(view.item_ms, instrument),
            submitted_at=answered,
        ),
        cipher=request.app.state.contacts,
    )
    response = _thanks_redirect(request, token, stored)
    if created:  # after the commit and the thank-you page: the worker scores it, never this process
        response.background = BackgroundTask(request.app.state.jobs.enqueue_scoring, ident(target.campaign))
    return response


def _answered_version(
    session: Session, target: SurveyTarget, raw: str
) -> tuple[InstrumentVersion, Instrument]:
    """The instrument version the posted page showed: an older version of the same instrument (a page kept
    on a phone across a new release) is checked and stored as that version; anything else as the current."""
    current = target.instrument_row
    if raw.isdigit() and len(raw) < 10 and int(raw) != current.id:
        row = session.get(InstrumentVersion, int(raw))
        if row is not None and row.instrument_id == current.instrument_id and row.kind == current.kind:
            return row, materialise(row)
    return current, target.instrument


def _thanks_redirect(request: Request, token: str, stored: Submission) -> Response:
    url = str(request.url_for("survey:thanks", token=token, receipt=stored.public_id).path)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "Vary": "HX-Request, Cookie"})
    return RedirectResponse(url, status_code=303)


def survey_thanks(request: Request) -> Response:
    """The thank-you page, with the receipt number a callback can refer to."""
    target = _target(request)
    stored = (
        db(request)
        .exec(
            select(Submission).where(
                Submission.public_id == receipt_key(request.path_params["receipt"]),
                Submission.location_id == target.location.id,
            )
        )
        .first()
    )
    if stored is None:
        raise NotFound("receipt_not_found")
    ctx = {"campaign": target.campaign, "location": target.location, "receipt": stored.public_id}
    return render(request, "survey/thanks.html", ctx)


def poster_code(request: Request) -> Response:
    """The short address typed from a poster (/q/K7M-4QX, any case): on to the location's survey."""
    location = by_short_code(session=db(request), text=request.path_params["code"])
    if location is None or not location.active:
        raise NotFound("poster_code_not_found")
    settings = request.app.state.settings
    target = survey_url("", settings.secret_key, location)
    return RedirectResponse(target, status_code=303)


routes = [
    Route("/q/{code}", endpoint(poster_code, staff=False, csrf=False), methods=["GET"], name="survey:code"),
    Route("/s/{token}", endpoint(survey_page, staff=False, csrf=False), methods=["GET"], name="survey:page"),
    Route(
        "/s/{token}",
        endpoint(survey_submit, reader=_survey_body, staff=False, csrf=False, lock_late=True),
        methods=["POST"],
        name="survey:submit",
    ),
    Route(
        "/s/{token}/thanks/{receipt}",
        endpoint(survey_thanks, staff=False, csrf=False),
        methods=["GET"],
        name="survey:thanks",
    ),
]
