"""Error messages about what follows the grade: findings and their evidence, the audited organisation's
account, follow-up visits, the certification decision, and who may use the read API. Part of
`survey_app.web.messages.ERRORS` (title, explanation), in the reader's language."""

from __future__ import annotations

from survey_app.i18n import N_

AFTER_THE_GRADE: dict[str, tuple[str, str]] = {
    "finding_bad_type": (N_("Choose a type"), N_("Choose what kind of finding this is.")),
    "finding_bad_source": (N_("Choose a source"), N_("Choose where the requirement comes from.")),
    "finding_other_source": (N_("Name the source"), N_("Say where the requirement comes from.")),
    "finding_no_description": (N_("Describe it"), N_("Describe what was found.")),
    "finding_past_deadline": (N_("Deadline passed"), N_("The deadline must be after today.")),
    "finding_bad_move": (N_("Not a step"), N_("That is not a step a finding can take.")),
    "finding_wrong_state": (
        N_("Not now"),
        N_("The finding is not in a state that allows this step. Nothing was changed."),
    ),
    "finding_needs_words": (N_("Say why"), N_("Write down why. Nothing was changed.")),
    "finding_needs_action": (
        N_("The action is incomplete"),
        N_("Fill in the root cause, the correction and the corrective action. Nothing was changed."),
    ),
    "finding_not_found": (N_("Finding not found"), N_("This campaign has no finding with that number.")),
    "finding_file_empty": (N_("Choose a file"), N_("Choose a photo or a PDF to attach. Nothing was stored.")),
    "finding_file_too_large": (
        N_("File too large"),
        N_("A file may be at most 10 MB. Nothing was stored."),
    ),
    "finding_file_kind": (
        N_("Not a photo or PDF"),
        N_("Attach a photo (JPEG, PNG...) or a PDF. Nothing was stored."),
    ),
    "finding_file_broken": (N_("The file is damaged"), N_("This PDF cannot be read. Nothing was stored.")),
    "finding_file_too_many": (
        N_("Too many files"),
        N_("A finding takes at most 20 files. Nothing was stored."),
    ),
    "auditee_no_username": (N_("Give a user name"), N_("Give the organisation's contact a user name.")),
    "auditee_bad_username": (
        N_("Not a user name"),
        N_("A user name uses letters, digits, '.', '-' and '_' only. Nothing was created."),
    ),
    "auditee_is_staff": (
        N_("An auditor's account"),
        N_("This account belongs to an auditor or reviewer; the audited organisation needs its own."),
    ),
    "visit_bad_finding": (
        N_("Not an open finding"),
        N_("A follow-up visit verifies an unfinished finding of this campaign."),
    ),
    "decision_impartiality": (
        N_("Not impartial"),
        N_(
            "You are on this campaign's audit team, so you may not take its certification decision. "
            "Nothing was recorded."
        ),
    ),
    "api_auditors_only": (
        N_("Not for this account"),
        N_("The read API is for auditors' accounts."),
    ),
    "decision_unknown": (N_("Choose a decision"), N_("Choose one of the decisions offered.")),
    "decision_needs_reasons": (
        N_("Give the reasons"),
        N_("Write down the reasons for the decision: they go into the letter. Nothing was recorded."),
    ),
    "decision_major_open": (
        N_("A major nonconformity is open"),
        N_(
            "An open major nonconformity blocks granting, maintaining or restoring the certificate. "
            "Nothing was recorded."
        ),
    ),
    "decision_not_open": (
        N_("Not possible now"),
        N_("The certificate's present status does not allow this decision. Nothing was recorded."),
    ),
    "decision_no_locked_grade": (
        N_("No locked grade"),
        N_("A decision rests on a locked grade: the lead auditors lock it first."),
    ),
}
