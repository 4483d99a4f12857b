"""Every error text a user reads, in one place: refusals shown as a page (or as JSON to the API and the
phones' outbox) and the problems shown beside a form field. Codes come from `survey_app.errors` and from
`forms` (validation errors are data there); the texts are marked for the gettext catalogs."""

from __future__ import annotations

from typing import Any

from survey_app.i18n import N_, gettext
from survey_app.web.messages_after_grade import AFTER_THE_GRADE

ERRORS: dict[str, tuple[str, str]] = {
    **AFTER_THE_GRADE,
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
    "resident_photos_off": (
        N_("Photos are not taken here"),
        N_("This survey does not take photos from residents. Please go back and answer the questions."),
    ),
    "survey_version_unknown": (
        N_("Form not recognised"),
        N_(
            "This form is not one this survey has given out, so nothing was stored. "
            "Please scan the QR code on the notice again and answer the current form."
        ),
    ),
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
    "origin_refused": (
        N_("Sent from another site"),
        N_(
            "This form was sent from another web site, so it was refused and nothing was changed. Open the "
            "app at its own address and try again."
        ),
    ),
    "visit_access_ended": (
        N_("No longer yours"),
        N_(
            "You are no longer on this campaign's team, or this visit was taken off you, so it is closed to "
            "you. Nothing was recorded. Ask the lead auditor if this is a mistake."
        ),
    ),
    "field_work_closed": (
        N_("Field work has ended"),
        N_(
            "This campaign is closed or its grade is locked, so visits and interviews are no longer "
            "recorded. Nothing was recorded."
        ),
    ),
    "api_lead_only": (
        N_("Lead auditors only"),
        N_("Only the campaign's lead auditors and administrators read its responses, callbacks and grades."),
    ),
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
    "grade_changed": (
        N_("The grade changed"),
        N_(
            "The grade changed after the confirmation page was shown (new responses or decisions came in). "
            "Nothing was locked: look at what will be locked again."
        ),
    ),
    "location_name_required": (N_("A name is needed"), N_("Give the location a name. Nothing was changed.")),
    "location_target": (
        N_("Target not understood"),
        N_("The target must be a whole number from 1 to %(max)s, or empty. Nothing was changed."),
    ),
    "location_reason_required": (
        N_("A reason is needed"),
        N_("Say why this location is taken out of use (recorded in the audit log). Nothing was changed."),
    ),
    "location_in_use": (
        N_("Location in use"),
        N_(
            "This location has responses or visits, so it is kept: deactivate it instead (its responses "
            "stay). Nothing was deleted."
        ),
    ),
    "location_retired": (
        N_("Poster no longer in use"),
        N_("This poster is no longer in use for the survey. Thank you for wanting to take part."),
    ),
    "lock_without_certificate": (
        N_("No certificate"),
        N_(
            "This result earns no certificate. Lock it only as “no certificate”: tick that box on the "
            "confirmation page. Nothing was locked."
        ),
    ),
    "already_drawn": (
        N_("Already drawn"),
        N_(
            "This campaign's callback sample was drawn already. A further draw needs its confirmation page, "
            "a reason and your name; the earlier draws stay."
        ),
    ),
    "redraw_name": (
        N_("Your name is needed"),
        N_("Type your own name (as the app knows it) to sign the further draw. Nothing was drawn."),
    ),
    "redraw_reason_required": (
        N_("A reason is needed"),
        N_("A further draw needs a reason and your name. Nothing was drawn."),
    ),
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


FIELD_ERRORS = {
    "required": N_("Please answer this question."),
    "one_value": N_("Please choose only one answer."),
    "na_not_allowed": N_("“Not applicable” is not an option for this question."),
    "out_of_range": N_("Please choose a value from %(low)s to %(high)s."),
    "not_an_option": N_("Please choose one of the options shown."),
    "not_a_number": N_("Please enter a number."),
    "not_whole": N_("Please enter a whole number."),
    "off_step": N_("Please enter a number in steps of %(step)s."),
    "bad_date": N_("Please enter a date such as 2026-12-02."),
    "bad_geopoint": N_("Please give a position as latitude and longitude, such as 24.4798 118.0894."),
    "bad_datetime": N_("Please enter a date and time such as 2026-12-02 09:30."),
    "bad_time": N_("Please enter a time such as 09:30."),
    "too_long": N_("Please keep this under %(limit)s characters (you wrote %(length)s)."),
    "bad_phone": N_("Please enter a phone number with digits only, such as 13800138000."),
    "photo_not_here": N_("Photos cannot be sent with this form."),
    "photo_empty": N_("Choose a photo first, then add it."),
    "photo_not_image": N_("This file is not a photo. Please choose a photo (JPEG or PNG)."),
    "photo_broken": N_("This photo could not be read. Please take it again or choose another."),
    "photo_too_large": N_("This photo is too large. Please choose a smaller one."),
    "repeat_unknown": N_("That entry cannot be added or removed here. Please check the list and try again."),
    "unknown_item": N_("The form contained a question that is not part of this survey (%(item)s)."),
    "body_too_large": N_("The form was too large to accept (over 64 KB). Please shorten your comments."),
    "expired_form": N_(
        "This form was opened too long ago or was altered. Please check your answers and send it again."
    ),
}


def error_title(code: str) -> str:
    """The title of an error page in the reader's language."""
    return gettext(ERRORS.get(code, ERRORS["bad_request"])[0])


def error_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The explanation of an error code in the reader's language, its parameters filled in."""
    text = gettext(ERRORS.get(code, ERRORS["bad_request"])[1])
    try:
        return text % {k: str(v) for k, v in params.items()} if params else text
    except (KeyError, TypeError, ValueError):
        return error_title(code)


def field_error(code: str, params: dict[str, Any] | None = None) -> str:
    """The message shown beside a form field for a validation code (from `forms`)."""
    template = gettext(FIELD_ERRORS.get(code, FIELD_ERRORS["required"]))
    try:
        return template % (params or {})
    except (KeyError, TypeError, ValueError):
        return template
