"""Shared pages: errors in the user's language with the right status code."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from survey_app.errors import DomainError
from survey_app.i18n import N_, gettext
from survey_app.templating import localtime, render

ERRORS: dict[str, tuple[str, str]] = {
    "survey_not_found": (
        N_("Survey not found"),
        N_(
            "This survey link is not valid. Please scan the QR code on the notice again, "
            "or check the address."
        ),
    ),
    "survey_closed": (
        N_("This survey is closed"),
        N_(
            "The survey ended on %(deadline)s. Thank you for your interest; "
            "answers can no longer be accepted."
        ),
    ),
    "survey_not_started": (
        N_("This survey has not started yet"),
        N_("The survey opens on %(start)s. Please come back then."),
    ),
    "receipt_not_found": (N_("Receipt not found"), N_("We could not find this receipt for this survey.")),
    "body_too_large": (
        N_("Form too large"),
        N_("The form was far too large to accept. Please go back and shorten your answers."),
    ),
    "body_too_many_fields": (N_("Form too large"), N_("The form had far too many fields to accept.")),
    "body_unsupported_type": (
        N_("Form not understood"),
        N_("Please send the survey with the form on the page."),
    ),
    "body_bad_encoding": (N_("Form not understood"), N_("The form was not sent as UTF-8 text.")),
    "not_found": (N_("Page not found"), N_("There is no page at this address.")),
    "token_replaced": (
        N_("This QR code has been replaced"),
        N_("This notice has been replaced by a new one. Please scan the QR code on the current notice."),
    ),
    "forbidden_role": (N_("Not allowed"), N_("Your account does not have the role needed for this page.")),
    "forbidden_campaign": (N_("Not allowed"), N_("You are not assigned to this campaign.")),
    "campaign_not_found": (N_("Campaign not found"), N_("There is no campaign with this code.")),
    "csrf_failed": (
        N_("Form expired"),
        N_(
            "The form's security token was missing or wrong, so nothing was changed. "
            "Reload the page and try again."
        ),
    ),
    "upload_too_large": (N_("File too large"), N_("Files up to 10 MB can be uploaded.")),
    "server_busy": (
        N_("Please try again"),
        N_("Too many answers are being saved at this moment. Nothing was lost: submit again in a moment."),
    ),
    "font_missing": (
        N_("No Chinese font"),
        N_(
            "The server has no font with Chinese characters to draw posters. "
            "Ask the administrator to install one."
        ),
    ),
    "certificate_not_found": (
        N_("Certificate not found"),
        N_(
            "No certificate result matches this address. "
            "Please check the QR code or the link on the certificate."
        ),
    ),
    "no_locations": (N_("No locations yet"), N_("Add locations to this campaign before printing posters.")),
    "method_not_allowed": (N_("Not allowed"), N_("This page cannot be used that way.")),
    "conflict": (N_("Not possible now"), N_("This change cannot be made in the current state.")),
    "job_kind_unknown": (N_("Unknown file"), N_("This file cannot be made. Choose one of the buttons.")),
    "job_not_ready": (N_("Not ready yet"), N_("The file is not ready yet. Wait until its page says it is.")),
    "answers_incomplete": (
        N_("Answers missing"),
        N_("Some required answers are missing. Open the form again to complete them."),
    ),
    "login_required": (
        N_("Please log in again"),
        N_("Your login has expired. Log in again and what is waiting will be sent."),
    ),
    "outbox_key_reused": (
        N_("Sent twice with one key"),
        N_("This key was already used for another request. Nothing was changed."),
    ),
    "grade_locked": (
        N_("The grade is locked"),
        N_(
            "The campaign's grade is locked, so decisions that would change it are refused. "
            "Reopen the grade (with a reason) first."
        ),
    ),
    "illegal_transition": (
        N_("Not possible now"),
        N_("A response cannot go from “%(frm)s” to “%(to)s”. Nothing was changed."),
    ),
    "reason_required": (
        N_("A reason is needed"),
        N_("Write down why: this decision changes what counts in the grade. Nothing was changed."),
    ),
    "response_not_found": (
        N_("Response not found"),
        N_("There is no response with this receipt in this campaign."),
    ),
    "visit_not_found": (N_("Visit not found"), N_("There is no such visit.")),
    "visit_not_yours": (N_("Not your visit"), N_("This visit is assigned to other auditors.")),
    "sheet_blind": (
        N_("Scored blind"),
        N_("The other auditor's sheet opens once both of you have submitted your own."),
    ),
    "visit_cancelled": (N_("Visit cancelled"), N_("The lead auditor cancelled this visit.")),
    "visit_cancelled_kept": (
        N_("Visit cancelled"),
        N_(
            "The lead auditor cancelled this visit meanwhile. What you sent is kept for the lead auditor, "
            "but it will not count."
        ),
    ),
    "visit_final": (
        N_("Visit closed"),
        N_("The final score of this visit is recorded: it can no longer change."),
    ),
    "sheet_submitted": (
        N_("Already submitted"),
        N_("This sheet was submitted already: it can no longer change."),
    ),
    "sheets_not_all_submitted": (
        N_("Not all sheets are in"),
        N_("Both auditors must submit their sheets before the final score is agreed."),
    ),
    "visit_not_checked_in": (N_("Not started"), N_("Start the visit first.")),
    "visit_bad_mode": (N_("Check the visit"), N_("Choose covert, open or interviews.")),
    "visit_bad_window": (N_("Check the visit"), N_("Give a start and an end, the end after the start.")),
    "visit_auditors": (N_("Check the visit"), N_("Choose one or two auditors.")),
    "visit_auditor_not_member": (
        N_("Check the visit"),
        N_("Each auditor must be a field auditor assigned to this campaign."),
    ),
    "visit_bad_instrument": (N_("Check the visit"), N_("Choose a form for the visit.")),
    "visit_interview_needs_survey": (
        N_("Check the visit"),
        N_("An interview round uses a survey questionnaire."),
    ),
    "visit_sheet_needs_sheet": (
        N_("Check the visit"),
        N_("A covert or open visit uses a script or an evaluation sheet, not a survey questionnaire."),
    ),
    "visit_no_covert_items": (
        N_("Check the visit"),
        N_("This form has no covert items: schedule it as an open visit."),
    ),
    "visit_bad_location": (N_("Check the visit"), N_("Choose a location of this campaign.")),
    "reconcile_missing": (
        N_("Final score incomplete"),
        N_("Choose the final score for every differing item."),
    ),
    "photo_too_large": (
        N_("Photo too large"),
        N_("Photos up to 15 MB can be added. The rest of the visit is kept."),
    ),
    "photo_empty": (N_("No photo"), N_("Choose a photo to add.")),
    "photo_not_image": (
        N_("Not a photo"),
        N_("This file is not a picture. Add a photo (JPEG or PNG). The rest of the visit is kept."),
    ),
    "photo_broken": (
        N_("Photo damaged"),
        N_("This picture could not be read. Take it again. The rest of the visit is kept."),
    ),
    "interview_channel": (N_("Check the interview"), N_("Say whether it is face to face or by phone.")),
    "interview_no_staff": (
        N_("Check the interview"),
        N_("Confirm that no staff of the audited organisation were present."),
    ),
    "interview_key": (N_("Form expired"), N_("Reload the page and enter the interview again.")),
    "api_token_missing": (
        N_("Token needed"),
        N_("Send an API token in the header: Authorization: Bearer <token>."),
    ),
    "api_token_invalid": (N_("Token not valid"), N_("This API token is unknown or was revoked.")),
    "api_out_of_scope": (N_("Not allowed"), N_("This API token does not cover this campaign.")),
    "rate_limited": (
        N_("Too many requests"),
        N_("Too many requests with this token. Wait %(seconds)s seconds."),
    ),
    "no_locked_grade": (N_("No locked grade"), N_("This campaign's grade has not been locked.")),
    "bad_cursor": (N_("Bad request"), N_("after and limit must be whole numbers (limit 1 to 1000).")),
    "poster_code_not_found": (
        N_("Code not found"),
        N_("No survey has this code. Check the code under the QR code on the notice, or scan the QR code."),
    ),
    "campaign_closed_already": (N_("Already closed"), N_("This survey is closed already.")),
    "campaign_not_closed": (
        N_("Not closed"),
        N_("This survey is not closed, so there is nothing to reopen."),
    ),
    "campaign_past_deadline": (
        N_("Past the deadline"),
        N_("The deadline has passed: change the deadline on the edit page to run the survey longer."),
    ),
    "certificate_status": (
        N_("Check the status"),
        N_("Choose valid, suspended or withdrawn, and give a reason."),
    ),
    "no_certificate": (N_("No certificate"), N_("This campaign has no locked, certified grade.")),
    "bad_request": (N_("Bad request"), N_("The request could not be understood.")),
    "nothing_to_draw": (
        N_("Nothing to draw from"),
        N_("No online response has been scored yet, so there is no callback sample to draw."),
    ),
    "bad_decision": (
        N_("Choose a decision"),
        N_("Choose one of the decisions offered. Nothing was changed."),
    ),
    "bad_outcome": (
        N_("Choose an outcome"),
        N_("Choose the outcome of the call from the list. Nothing was recorded."),
    ),
    "no_contact": (N_("No phone number"), N_("This respondent did not leave a phone number for a callback.")),
    "bad_time": (
        N_("Time not understood"),
        N_("Enter the time of the call as a date and time. Nothing was recorded."),
    ),
    "task_what_required": (N_("Say what to check"), N_("Describe what should be verified on site.")),
    "unknown_user": (N_("Unknown user"), N_("Choose the person from the list.")),
    "bad_task_result": (
        N_("Choose a result"),
        N_("Choose confirmed or not confirmed. Nothing was recorded."),
    ),
    "already_locked": (N_("Already locked"), N_("This campaign's grade is already locked.")),
    "not_locked": (
        N_("Not locked"),
        N_("This campaign's grade is not locked, so there is nothing to reopen."),
    ),
    "server_error": (
        N_("Something went wrong"),
        N_(
            "Sorry, the server could not finish this request. Your answers were not stored; please try again."
        ),
    ),
}
_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def error_page(
    request: Request, status: int, code: str, *, campaign: Any = None, params: dict[str, Any] | None = None
) -> Response:
    """Render the error page for `code` with HTTP status `status`."""
    title, body = ERRORS.get(code, ERRORS["bad_request"])
    params = {k: str(v) for k, v in (params or {}).items()}
    if campaign is not None:
        params |= {
            "deadline": localtime(campaign.deadline, campaign.timezone),
            "start": localtime(campaign.starts_at, campaign.timezone),
        }
    ctx = {"title_code": title, "body_code": body, "params": params, "status": status, "campaign": campaign}
    return render(request, "errors/page.html", ctx, status_code=status)


def wants_json(request: Request) -> bool:
    """API routes (and clients that ask for JSON) get errors as JSON with a stable shape."""
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )  # the phones' outbox asks for JSON too (survey_app.outbox)


async def domain_error(request: Request, exc: Exception) -> Response:
    """A refused request (not found, forbidden, conflict, locked, invalid...) as a page, or JSON, with its
    status: {"error": {"code", "status", "message"}}."""
    assert isinstance(exc, DomainError)
    if wants_json(request):
        title, body = ERRORS.get(exc.code, ERRORS["bad_request"])
        params = {k: str(v) for k, v in exc.params.items()}
        try:
            message = gettext(body) % params if params else gettext(body)
        except (KeyError, ValueError):
            message = gettext(title)
        payload = {"error": {"code": exc.code, "status": exc.status, "message": message}}
        headers = {"Retry-After": str(exc.params["seconds"])} if "seconds" in exc.params else None
        if exc.status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="mingcha"'}
        return JSONResponse(payload, status_code=exc.status, headers=headers)
    return error_page(request, exc.status, exc.code, params=exc.params)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette HTTPException (404, 405, ...) as a page in the user's language."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = _BY_STATUS.get(status, "bad_request")
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}  # e.g. Allow on a 405
    if wants_json(request):
        title, body = ERRORS.get(code, ERRORS["bad_request"])
        payload = {"error": {"code": code, "status": status, "message": gettext(body)}}
        return JSONResponse(payload, status_code=status, headers=headers)
    page = error_page(request, status, code)
    page.headers.update(headers)
    return page


async def server_error(request: Request, exc: Exception) -> Response:
    """Last resort: never a bare traceback."""
    return error_page(request, 500, "server_error")


def error_message(code: str) -> str:
    """The explanation of an error code in the reader's language (for notices inside a page)."""
    return gettext(ERRORS.get(code, ERRORS["bad_request"])[1])


def translate(message: str, params: dict[str, str] | None = None) -> str:
    """Translate a marked message and fill its parameters."""
    text = gettext(message)
    return text % params if params else text
