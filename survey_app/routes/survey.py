"""The public survey: open by location token, page through sections, submit exactly once."""

from __future__ import annotations

from collections import OrderedDict

from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app.clock import localtime, utcnow
from survey_app.errors import Forbidden, Gone, NotFound, TooLarge, Unsupported
from survey_app.models import SurveyResponse, ident
from survey_app.services.campaigns.lifecycle import closed_on
from survey_app.services.field.photos import MAX_PHOTO_BYTES
from survey_app.services.intake import form_tokens, links, resident_photos, survey
from survey_app.services.intake.links import SurveyTarget
from survey_app.services.intake.responses import campaign_state
from survey_app.web.endpoint import db, endpoint, path_for, redirect
from survey_app.web.form_state import FormState, with_check
from survey_app.web.outbox import NOTICE_HEADER, captured_at
from survey_app.web.request_body import FormBody, read_form
from survey_app.web.templating import is_htmx, render, render_text


def _target(request: Request) -> SurveyTarget:
    """What the path's token opens, or the reason it opens nothing (raised)."""
    secret = request.app.state.settings.secret_key
    return links.open_token(session=db(request), secret=secret, token=request.path_params["token"])


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


def _action(request: Request) -> str:
    return path_for(request, "survey:submit", token=request.path_params["token"])


def _page(request: Request, target: SurveyTarget, view: FormState, status: int = 200) -> Response:
    ctx = {
        "view": view,
        "campaign": target.campaign,
        "location": target.location,
        "contact_days": request.app.state.settings.contact_retention_days,
    }
    return render(request, "survey/page.html", ctx, fragment="survey/_form.html", status_code=status)


TOKEN_SLOT = "__MINGCHA_FORM_TOKEN__"
_pages: OrderedDict[tuple[object, ...], str] = OrderedDict()
PAGE_CACHE = 512


def _form_lang(request: Request, target: SurveyTarget, posted: str = "") -> str:
    """One of the form's own languages, as the respondent chose it (query or posted field), else its
    default; "" for a form in Chinese and English only (the page's locale decides)."""
    languages = target.instrument.languages
    wanted = request.query_params.get("form_lang", "") or posted
    return wanted if wanted in languages else target.instrument.default_language


def _blank_page(request: Request, target: SurveyTarget) -> str:
    """The survey page as a first view shows it, with a slot for the form token: rendered once per location,
    campaign state, instrument version and language, then reused (a page view only signs a new token)."""
    campaign, location = target.campaign, target.location
    key = (
        request.url.path, request.state.locale, target.instrument_row.id, location.id, location.name,
        campaign.id, campaign.name_zh, campaign.name_en, campaign.organisation, campaign.deadline,
        campaign.timezone, campaign.status, _form_lang(request, target), campaign.resident_photos,
    )  # fmt: skip
    page = _pages.get(key)
    if page is None:
        view = FormState(
            target.instrument, request.state.locale, _action(request), TOKEN_SLOT, version=target.version,
            form_lang=_form_lang(request, target), photo_action=_photo_action(request, target),
        )  # fmt: skip
        days = request.app.state.settings.contact_retention_days
        page = render_text(
            request,
            "survey/page.html",
            {"view": view, "campaign": campaign, "location": location, "contact_days": days},
        )
        _pages[key] = page
        while len(_pages) > PAGE_CACHE:
            _pages.popitem(last=False)
    return page


def _fresh_token(request: Request, target: SurveyTarget) -> str:
    return form_tokens.new_form_token(request.app.state.settings.secret_key, utcnow(), ident(target.location))


def survey_page(request: Request) -> Response:
    """Show the survey for a location token."""
    target = _open_target(request)
    token = _fresh_token(request, target)
    if is_htmx(request):
        view = FormState(
            target.instrument, request.state.locale, _action(request), token, version=target.version,
            form_lang=_form_lang(request, target), photo_action=_photo_action(request, target),
        )  # fmt: skip
        response = _page(request, target, view)
    else:
        response = HTMLResponse(_blank_page(request, target).replace(TOKEN_SLOT, token))
        response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


async def _survey_body(request: Request) -> FormBody:
    settings = request.app.state.settings
    return await read_form(request, soft_limit=settings.max_body_bytes, hard_limit=settings.hard_body_bytes)


def _sender(request: Request) -> survey.Sender:
    return survey.Sender(
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        locale=request.state.locale,
        cookie_client=request.cookies.get("mc_cid", ""),
        captured_at=captured_at(request),
    )


def survey_submit(request: Request) -> Response:
    """Page forward/back with inline validation, or submit; a repeated submission lands once."""
    body = request.state.form
    assert isinstance(body, FormBody)
    target = _open_target(request)
    done = _answer(request, target, survey.SurveyPost.from_fields(body.fields, oversize=body.oversize))
    if done.stored is not None:
        response = _thanks_redirect(request, done.stored)
        if done.created:  # after the commit and the thank-you page: the worker scores it, never this process
            response.background = BackgroundTask(
                request.app.state.jobs.enqueue_scoring, ident(target.campaign)
            )
        return response
    page = _answered_page(request, target, done, body.fields)
    if done.notice:
        page.headers[NOTICE_HEADER] = done.notice
    return page


def _answer(request: Request, target: SurveyTarget, post: survey.SurveyPost) -> survey.Answered:
    settings = request.app.state.settings
    return survey.answer(
        session=db(request), target=target, post=post, sender=_sender(request), secret=settings.secret_key,
        max_text=settings.max_text_chars, cipher=request.app.state.contacts,
        fresh_token=_fresh_token(request, target),
    )  # fmt: skip


def _answered_page(
    request: Request, target: SurveyTarget, done: survey.Answered, fields: dict[str, list[str]]
) -> Response:
    """The form again after a post: the page it is on, every answer kept, each problem beside its question."""
    view = FormState(
        done.instrument, request.state.locale, _action(request), done.form_token, page=done.page,
        client_id=done.client_id, item_ms=done.item_ms, version=ident(done.row),
        form_lang=_form_lang(request, target, str((fields.get("_form_lang") or [""])[0])),
        photo_action=_photo_action(request, target),
    )  # fmt: skip
    return _page(request, target, with_check(view, done.check) if done.check else view, status=done.status)


async def _photo_body(request: Request) -> FormData:
    """A survey page posted with one photo (the "add this photo" button): multipart, one file, bounded."""
    limit = MAX_PHOTO_BYTES + request.app.state.settings.hard_body_bytes
    if (whole_number(request.headers.get("content-length", "")) or 0) > limit:
        raise TooLarge("photo_too_large")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        raise Unsupported("body_unsupported_type")
    return await request.form(max_files=1, max_fields=2000, max_part_size=MAX_PHOTO_BYTES + 1024)


def survey_photo(request: Request) -> Response:
    """One photo question answered with a photo (where the lead allows residents' photos): the photo is kept
    without its metadata, the page comes back with every answer kept and the photo's signed reference."""
    data = request.state.form
    target = _open_target(request)
    fields = {k: [v for v in data.getlist(k) if isinstance(v, str)] for k in data}
    item_key = str(data.get("_photo") or "")[:60]
    upload = data.get(f"photo.{item_key}")
    photo = (
        upload.file.read(MAX_PHOTO_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else b""
    )
    fields, problem = resident_photos.attach(
        session=db(request),
        secret=request.app.state.settings.secret_key,
        target=target,
        fields=fields,
        item_key=item_key,
        photo=photo,
    )
    done = _answer(request, target, survey.SurveyPost.from_fields({**fields, "_step": ["refresh"]}))
    if done.check is not None and problem:
        done.check.add(item_key, problem)
        done.status = 422
    return _answered_page(request, target, done, fields)


def _photo_action(request: Request, target: SurveyTarget) -> str:
    """Where a photo question's "add this photo" posts, when the lead allows residents' photos."""
    if not target.campaign.resident_photos:
        return ""
    return path_for(request, "survey:photo", token=request.path_params["token"])


def _thanks_redirect(request: Request, stored: SurveyResponse) -> Response:
    url = path_for(request, "survey:thanks", token=request.path_params["token"], receipt=stored.public_id)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url, "Vary": "HX-Request, Cookie"})
    return RedirectResponse(url, status_code=303)


def survey_thanks(request: Request) -> Response:
    """The thank-you page, with the receipt number a callback can refer to."""
    target = _target(request)
    stored = links.receipt_at(
        session=db(request), location=target.location, receipt=request.path_params["receipt"]
    )
    ctx = {"campaign": target.campaign, "location": target.location, "receipt": stored.public_id}
    return render(request, "survey/thanks.html", ctx)


def poster_code(request: Request) -> Response:
    """The short address typed from a poster (/q/K7M-4QX, any case): on to the location's survey."""
    location = links.by_short_code(session=db(request), text=request.path_params["code"])
    if location is None:
        raise NotFound("poster_code_not_found")
    if not location.active:
        raise Gone("location_retired")
    target = links.survey_url("", request.app.state.settings.secret_key, location)
    return RedirectResponse(target, status_code=303)


def find_code(request: Request) -> Response:
    """The box where a poster's code is typed (`/q?code=K7M-4QX`): on to that poster's survey."""
    code = request.query_params.get("code", "").strip()[:40]
    if not code:
        return render(request, "home.html")
    return redirect(request, "survey:code", code=code.replace("/", ""))


routes = [
    Route("/q", endpoint(find_code, staff=False, csrf=False), methods=["GET"], name="survey:find"),
    Route("/q/{code}", endpoint(poster_code, staff=False, csrf=False), methods=["GET"], name="survey:code"),
    Route("/s/{token}", endpoint(survey_page, staff=False, csrf=False), methods=["GET"], name="survey:page"),
    Route(
        "/s/{token}",
        endpoint(survey_submit, reader=_survey_body, staff=False, csrf=False, lock_late=True),
        methods=["POST"],
        name="survey:submit",
    ),
    Route(
        "/s/{token}/photo",
        endpoint(survey_photo, reader=_photo_body, staff=False, csrf=False, lock_late=True),
        methods=["POST"],
        name="survey:photo",
    ),
    Route(
        "/s/{token}/thanks/{receipt}",
        endpoint(survey_thanks, staff=False, csrf=False),
        methods=["GET"],
        name="survey:thanks",
    ),
]
