"""Every kind of audit row the app writes, as a sentence a person reads ("王审 excluded response K7M-4QX"),
never its action code. `tests/web/test_audit_page.py` fails when a kind the code writes has no sentence."""

from __future__ import annotations

from typing import Any

from survey_app import i18n
from survey_app.i18n import N_
from survey_app.models import AuditLog
from survey_app.web.labels import (
    ACTOR_LABELS,
    CERTIFICATE_STATUS,
    DECISION_KINDS,
    FINDING_STATES,
    OUTCOME_LABELS,
    STATUS_LABELS,
)

SENTENCES: dict[str, str] = {
    "response.model": N_("The anomaly model moved response %(id)s from “%(old)s” to “%(new)s”"),
    "response.draw": N_("%(who)s drew response %(id)s for a callback (“%(old)s” to “%(new)s”)"),
    "response.lead": N_("%(who)s moved response %(id)s from “%(old)s” to “%(new)s”"),
    "response.pending": N_("%(who)s kept response %(id)s waiting for a decision"),
    "callback.attempt": N_("%(who)s called back the respondent of %(id)s: %(outcome)s"),
    "callbacks.draw": N_("%(who)s drew responses for callback"),
    "contact.reveal": N_("%(who)s looked at the phone number left with response %(id)s"),
    "contacts.purge": N_("%(who)s deleted the phone numbers kept past their retention"),
    "contacts.rotate_key": N_("%(who)s re-encrypted the phone numbers with a new key"),
    "campaign.create": N_("%(who)s created the campaign %(id)s"),
    "campaign.copy": N_("%(who)s created the campaign %(id)s as the next cycle"),
    "campaign.edit": N_("%(who)s changed the campaign's settings"),
    "campaign.close": N_("%(who)s closed the survey"),
    "campaign.reopen": N_("%(who)s reopened the survey"),
    "member.add": N_("%(who)s added %(id)s to the team"),
    "member.remove": N_("%(who)s removed %(id)s from the team"),
    "locations.add": N_("%(who)s added locations"),
    "location.edit": N_("%(who)s changed location %(id)s"),
    "location.deactivate": N_("%(who)s took location %(id)s out of use"),
    "location.reactivate": N_("%(who)s brought location %(id)s back into use"),
    "location.delete": N_("%(who)s deleted location %(id)s"),
    "location.rotate": N_("%(who)s replaced the QR code of location %(id)s"),
    "visit.schedule": N_("%(who)s scheduled visit %(id)s"),
    "visit.checkin": N_("%(who)s arrived for visit %(id)s"),
    "visit.checkout": N_("%(who)s left the site of visit %(id)s"),
    "visit.final": N_("%(who)s recorded the final score of visit %(id)s"),
    "visit.cancel": N_("%(who)s cancelled visit %(id)s"),
    "sheet.submit": N_("%(who)s submitted sheet %(id)s"),
    "sheet.cancel": N_("Sheet %(id)s was cancelled (its auditor left the team)"),
    "evidence.add": N_("%(who)s added a photo (%(id)s)"),
    "interview.record": N_("%(who)s entered an interview (%(id)s)"),
    "task.open": N_("%(who)s opened an on-site verification task (%(id)s)"),
    "task.result": N_("%(who)s recorded the result of an on-site verification task (%(id)s)"),
    "fraud.labels": N_("%(who)s taught the anomaly model from the callback outcomes"),
    "grade.lock": N_("%(who)s locked the grade"),
    "grade.reopen": N_("%(who)s reopened the locked grade"),
    "certificate.status": N_("%(who)s set the certificate's status to “%(new)s”"),
    "finding.raise": N_("%(who)s raised finding %(id)s"),
    "finding.move": N_("%(who)s moved finding %(id)s from “%(old)s” to “%(new)s”"),
    "finding.attach": N_("%(who)s attached evidence to finding %(id)s"),
    "finding.carry": N_("%(who)s carried finding %(id)s over from the previous cycle"),
    "decision.record": N_("%(who)s recorded the certification decision %(id)s: “%(new)s”"),
    "export": N_("%(who)s downloaded an export (%(id)s)"),
    "instrument.add": N_("%(who)s added the form %(id)s"),
    "user.create": N_("%(who)s created the account %(id)s"),
    "user.roles": N_("%(who)s changed the roles of %(id)s"),
    "user.password": N_("%(who)s changed the password of %(id)s"),
    "user.password_reset": N_("%(who)s reset the password of %(id)s"),
    "user.activate": N_("%(who)s changed whether %(id)s may log in"),
    "sessions.end": N_("%(who)s ended every session of %(id)s"),
    "login.ok": N_("%(id)s logged in"),
    "login.failed": N_("A login as %(id)s failed"),
    "api_token.create": N_("%(who)s created an API token (%(id)s)"),
    "api_token.revoke": N_("%(who)s revoked an API token (%(id)s)"),
    "api_token.revoke_all": N_("%(who)s revoked every API token of %(id)s"),
}


def _who(actor: str, names: dict[str, str]) -> str:
    if actor in ACTOR_LABELS:
        return i18n.gettext(ACTOR_LABELS[actor])
    return names.get(actor, actor)


def _state(value: str) -> str:
    labels = {**STATUS_LABELS, **CERTIFICATE_STATUS, **FINDING_STATES, **DECISION_KINDS}
    return i18n.gettext(labels[value]) if value in labels else value or "—"


def sentence(row: AuditLog, names: dict[str, str] | None = None) -> str:
    """The row in words, in the reader's language; people by their display names when known."""
    names = names or {}
    subject = row.subject.split(":", 1)[1] if ":" in row.subject else row.subject
    values: dict[str, Any] = {
        "who": _who(row.actor, names),
        "id": names.get(subject, subject) if row.subject.startswith("user:") else subject,
        "old": _state(row.old),
        "new": _state(row.new),
        "outcome": i18n.gettext(OUTCOME_LABELS[row.new]) if row.new in OUTCOME_LABELS else row.new,
    }
    template = SENTENCES.get(row.action)
    if template is None:
        return i18n.gettext(N_("%(who)s made a change (%(id)s)")) % values
    return i18n.gettext(template) % values
