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
}

ROLE_LABELS = {"admin": N_("administrator"), "lead": N_("lead auditor"), "field": N_("field auditor")}
CHANNEL_LABELS = {
    "online": N_("online (QR)"),
    "offline": N_("face to face"),
    "phone": N_("phone"),
    "visit": N_("visit"),
}
CHANGE_LABELS = {"unchanged": N_("grade unchanged"), "up": N_("grade raised"), "down": N_("grade lowered")}
