"""The decision letter (认证决定书) as a document, in the reader's language; made by the job worker as a
PDF."""

from __future__ import annotations

from sqlmodel import Session

from survey_app import clock
from survey_app.errors import NotFound
from survey_app.i18n import gettext, pick
from survey_app.models import Campaign, CertificationDecision, GradeSnapshot, StoredScheme
from survey_app.reports.document import Document, Facts, Heading, Para
from survey_app.web.labels import CERTIFICATE_STATUS, DECISION_KINDS


def letter_document(*, session: Session, campaign: Campaign, decision_id: int) -> Document:
    row = session.get(CertificationDecision, decision_id)
    if row is None or row.campaign_id != campaign.id:
        raise NotFound("not_found")
    snapshot = session.get(GradeSnapshot, row.snapshot_id) if row.snapshot_id else None
    scheme = session.get(StoredScheme, campaign.scheme_id)
    day = clock.localtime(row.decided_at, campaign.timezone, "%Y-%m-%d")
    result = snapshot.result if snapshot else {}
    tier = result.get("tier_label") or {}
    grade = (
        gettext("%(total)s of %(max)s, %(tier)s")
        % {
            "total": result.get("total") or "—",
            "max": result.get("total_max") or "—",
            "tier": pick(tier.get("zh", ""), tier.get("en", "")) or "—",
        }
        if snapshot
        else gettext("no locked grade")
    )
    doc = Document(
        title=gettext("Certification decision"),
        subtitle=[campaign.certification_body or "", gettext("No. %(n)s") % {"n": row.number}],
        footer=row.number,
        language="en" if pick("zh", "en") == "en" else "zh-CN",
    )
    doc.blocks += [
        Para(gettext("To: %(org)s") % {"org": campaign.organisation}),
        Facts(
            [
                (gettext("Decision"), gettext(DECISION_KINDS.get(row.decision, row.decision))),
                (gettext("Decided on"), day),
                (gettext("Reviewer"), row.decided_by),
                (gettext("Scope"), campaign.scope or "—"),
                (
                    gettext("Scheme"),
                    pick(scheme.name_zh, scheme.name_en) if scheme else "—",
                ),
                (gettext("Certificate number"), (snapshot.certificate_number if snapshot else "") or "—"),
                (
                    gettext("Certificate status"),
                    gettext(CERTIFICATE_STATUS.get(row.certificate_status, row.certificate_status))
                    if row.certificate_status
                    else gettext("no certificate"),
                ),
            ]
        ),
        Heading(gettext("What the decision rests on"), 2),
        Facts(
            [
                (gettext("Locked grade"), grade),
                (gettext("Grade snapshot SHA-256"), row.snapshot_sha256 or "—"),
                (gettext("Open major nonconformities"), str(row.open_major)),
                (gettext("Open minor nonconformities"), str(row.open_minor)),
            ]
        ),
        Heading(gettext("Reasons"), 2),
        Para(row.reasons),
        Para(
            gettext(
                "This decision was taken by a reviewer who was not a member of the audit team. The public "
                "certificate page shows the certificate's status."
            ),
            True,
        ),
    ]
    return doc
