"""User-facing texts for validation codes that `forms` returns as data."""

from __future__ import annotations

from typing import Any

from survey_app.i18n import N_, gettext

ERROR_TEXTS = {
    "required": N_("Please answer this question."),
    "one_value": N_("Please choose only one answer."),
    "na_not_allowed": N_("“Not applicable” is not an option for this question."),
    "out_of_range": N_("Please choose a value from %(low)s to %(high)s."),
    "not_an_option": N_("Please choose one of the options shown."),
    "not_a_number": N_("Please enter a number."),
    "bad_time": N_("Please enter a time such as 09:30."),
    "too_long": N_("Please keep this under %(limit)s characters (you wrote %(length)s)."),
    "bad_phone": N_("Please enter a phone number with digits only, such as 13800138000."),
    "photo_not_here": N_("Photos cannot be sent with this form."),
    "unknown_item": N_("The form contained a question that is not part of this survey (%(item)s)."),
    "body_too_large": N_("The form was too large to accept (over 64 KB). Please shorten your comments."),
    "expired_form": N_(
        "This form was opened too long ago or was altered. Please check your answers and send it again."
    ),
}


def error_text(code: str, params: dict[str, Any] | None = None) -> str:
    """Return the translated message for a validation code."""
    template = gettext(ERROR_TEXTS.get(code, "required"))
    try:
        return template % (params or {})
    except (KeyError, TypeError, ValueError):
        return template


SCALE_ANCHORS = {
    "agreement": (
        N_("Strongly disagree"),
        N_("Disagree"),
        N_("Neutral"),
        N_("Agree"),
        N_("Strongly agree"),
    ),
    "satisfaction": (
        N_("Very dissatisfied"),
        N_("Dissatisfied"),
        N_("Neutral"),
        N_("Satisfied"),
        N_("Very satisfied"),
    ),
    "rating": (N_("Poor"), N_("Below standard"), N_("Adequate"), N_("Good"), N_("Excellent")),
    "maturity": (
        N_("Not in place"),
        N_("Started"),
        N_("Partly in place"),
        N_("In place"),
        N_("In place and improving"),
    ),
}

ROLE_LABELS = {"admin": N_("administrator"), "lead": N_("lead auditor"), "field": N_("field auditor")}
CHANNEL_LABELS = {
    "online": N_("online (QR)"),
    "offline": N_("face to face"),
    "phone": N_("phone"),
    "visit": N_("visit"),
}
CHANGE_LABELS = {"unchanged": N_("grade unchanged"), "up": N_("grade raised"), "down": N_("grade lowered")}

STATUS_LABELS = {
    "received": N_("received"),
    "flagged": N_("flagged"),
    "callback_due": N_("callback due"),
    "verified": N_("verified"),
    "rejected": N_("rejected at callback"),
    "unreachable": N_("unreachable"),
    "excluded": N_("excluded"),
}
OUTCOME_LABELS = {
    "confirmed": N_("confirmed: answered it themselves"),
    "denies": N_("respondent denies answering"),
    "answers_differ": N_("answers differ from the response"),
    "unreachable": N_("unreachable"),
    "wrong_number": N_("wrong number"),
    "refused": N_("refused to talk"),
}
DECISION_LABELS = {
    "count": N_("Count it (verified)"),
    "exclude": N_("Exclude it (reason required)"),
    "unreachable": N_("Count it, respondent unreachable"),
    "pending": N_("Keep pending (call again)"),
    "reinclude": N_("Re-include it (reason required)"),
}
FAMILY_LABELS = {
    "rule": N_("a rule was hit"),
    "timing": N_("answering time"),
    "pattern": N_("answer pattern"),
    "consistency": N_("inconsistent answers"),
    "device": N_("same phone"),
    "network": N_("same network"),
    "location": N_("location"),
    "text": N_("comment"),
    "group": N_("group pattern"),
    "clock": N_("time of day"),
}
TASK_LABELS = {
    "open": N_("open"),
    "confirmed": N_("confirmed on site"),
    "not_confirmed": N_("not confirmed on site"),
}
JOB_LABELS = {
    "posters": N_("All posters (PDF)"),
    "analysis": N_("Analysis report (PDF)"),
    "export": N_("Export"),
    "draw": N_("Callback sample draw"),
    "grade": N_("Grade of a large campaign"),
}
JOB_STATES = {
    "queued": N_("Waiting for the worker"),
    "running": N_("Being made"),
    "done": N_("Ready"),
    "failed": N_("Failed"),
}
MODE_LABELS = {
    "covert": N_("covert visit"),
    "open": N_("open evaluation"),
    "interview": N_("interviews"),
}
VISIT_STATUS_LABELS = {
    "scheduled": N_("scheduled"),
    "final": N_("final score recorded"),
    "cancelled": N_("cancelled"),
}
EVIDENCE_FLAGS = {
    "exif_outside_window": N_("taken outside the visit window"),
    "photo_reused": N_("same photo as in another visit"),
}
CERTIFICATE_STATUS = {
    "valid": N_("valid"),
    "suspended": N_("suspended"),
    "withdrawn": N_("withdrawn"),
}
# why a response is not counted in a grade (keys of a grade's "excluded" counts; grading/ stays untranslated)
EXCLUSION_REASONS = (
    N_("rejected at callback"),
    N_("excluded by the lead auditor"),
    N_("no scored answer"),
    N_("N/A where the scheme forbids it"),
)
