"""The words shown for stored codes: roles, channels, statuses, outcomes, decisions, reason families, job
states... and the answer scales' anchors. Marked for the gettext catalogs, translated when shown."""

from __future__ import annotations

from survey_app.i18n import N_

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

ROLE_LABELS = {
    "admin": N_("administrator"),
    "lead": N_("lead auditor"),
    "field": N_("field auditor"),
    "reviewer": N_("certification reviewer"),
    "auditee": N_("audited organisation"),
}
REMINDER_LABELS = {
    "overdue": N_("overdue"),
    "due_soon": N_("due within 7 days"),
    "to_verify": N_("correction to verify"),
}
DECISION_KINDS = {
    "grant": N_("grant the certificate"),
    "maintain": N_("maintain the certificate"),
    "suspend": N_("suspend the certificate"),
    "withdraw": N_("withdraw the certificate"),
    "restore": N_("restore the certificate"),
    "refuse": N_("refuse certification"),
}
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
    "coherence": N_("answers that do not hang together"),
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
    "report": N_("Evaluation report"),
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
# what a row of the audit log records, in words (the stored codes never reach a page)
ACTION_LABELS = {
    "response.model": N_("anomaly model flagged or cleared it"),
    "response.draw": N_("drawn for a callback"),
    "response.lead": N_("decision by the lead auditor"),
    "response.pending": N_("kept waiting for a decision"),
    "callback.attempt": N_("call recorded"),
    "callbacks.draw": N_("callback sample drawn"),
    "contact.reveal": N_("phone number shown"),
    "visit.schedule": N_("visit scheduled"),
    "visit.final": N_("final score recorded"),
    "visit.checkin": N_("checked in"),
    "visit.checkout": N_("checked out"),
    "visit.cancel": N_("visit cancelled"),
    "sheet.submit": N_("sheet submitted"),
    "sheet.cancel": N_("sheet cancelled"),
    "evidence.add": N_("photo added"),
    "interview.record": N_("interview entered"),
    "grade.lock": N_("grade locked"),
    "grade.reopen": N_("grade reopened"),
    "certificate.status": N_("certificate status changed"),
    "campaign.edit": N_("campaign edited"),
    "campaign.close": N_("survey closed"),
    "campaign.reopen": N_("survey reopened"),
    "campaign.copy": N_("copied as the next cycle"),
    "member.add": N_("team member added"),
    "member.remove": N_("team member removed"),
    "locations.add": N_("locations added"),
    "location.edit": N_("location edited"),
    "location.delete": N_("location deleted"),
    "location.reactivate": N_("location back in use"),
    "location.rotate": N_("poster replaced"),
    "fraud.labels": N_("callback outcomes taught to the model"),
    "finding.raise": N_("finding raised"),
    "finding.move": N_("finding moved on"),
    "finding.attach": N_("evidence attached to a finding"),
    "finding.carry": N_("finding carried over"),
    "decision.record": N_("certification decision"),
}
# who wrote a row, when it was not a person
ACTOR_LABELS = {
    "fraud-model": N_("anomaly model"),
    "cli": N_("command line"),
    "demo": N_("demo data"),
    "worker": N_("background job"),
    "system": N_("system"),
}
# what an instrument is for
KIND_LABELS = {
    "survey": N_("questionnaire"),
    "mystery": N_("mystery-shopper script"),
    "audit": N_("management audit sheet"),
    "evaluation": N_("evaluation sheet"),
}
# what an XLSForm's metadata rows become here (forms.xlsform_items.METADATA, in the reader's language)
METADATA_NOTES = {
    "recorded: when the form was opened": N_("recorded anyway: when the form was opened"),
    "recorded: when it was submitted": N_("recorded anyway: when it was submitted"),
    "recorded: the day of submission": N_("recorded anyway: the day of submission"),
    "recorded: the phone's own client id": N_("recorded anyway: the phone's own anonymous id"),
    "recorded for auditors: the account that entered it": N_("recorded anyway for auditors: who entered it"),
    "ignored: per-item answer times are recorded instead": N_(
        "ignored: the time spent on each question is recorded instead"
    ),
    "ignored: never collected": N_("ignored: never collected here"),
    "ignored: a phone number is asked for only with consent": N_(
        "ignored: a phone number is asked for only with consent"
    ),
    "ignored: a position is recorded only by auditors who ask for it": N_(
        "ignored: a position is recorded only by auditors who ask for it"
    ),
    "ignored: never recorded": N_("ignored: never recorded"),
    "recorded: every response has its own receipt": N_("recorded anyway: every response has its own receipt"),
}
FINDING_TYPES = {
    "major": N_("major nonconformity"),
    "minor": N_("minor nonconformity"),
    "improvement": N_("improvement item"),
    "observation": N_("observation"),
    "strength": N_("strength"),
}
CRITERION_SOURCES = {
    "social_responsibility": N_("social-responsibility criterion"),
    "service_characteristic": N_("service-characteristic clause"),
    "management_system": N_("management system"),
    "group_standard": N_("group standard"),
    "other": N_("other"),
}
FINDING_STATES = {
    "open": N_("awaiting correction"),
    "action_submitted": N_("correction submitted"),
    "returned": N_("returned for more"),
    "verified": N_("correction verified"),
    "closed": N_("closed as corrected"),
    "closed_equivalent": N_("closed by an equivalent measure"),
    "withdrawn": N_("withdrawn"),
}
FINDING_MOVES = {
    "submit": N_("Record the organisation's correction"),
    "verify": N_("Verify the correction"),
    "return": N_("Return it: the correction is not enough"),
    "close": N_("Close the finding"),
    "equivalent": N_("Close it by an equivalent measure"),
    "withdraw": N_("Withdraw the finding"),
}
