"""The certification decision (认证决定, seed L1157): what it rests on, and the one door that records it.

Under ISO/IEC 17065 and CNAS practice the decision is taken by someone other than the audit team: a reviewer
who is a lead or field auditor of the campaign is refused (the impartiality rule). The certificate's status
follows the decision; every decision is one audit row and is never changed (a later one follows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from survey_app.errors import Conflict, Forbidden, Invalid
from survey_app.models import (
    Campaign,
    CertificationDecision,
    DecisionKind,
    Finding,
    FindingType,
    GradeSnapshot,
    User,
    ident,
)
from survey_app.services import audit
from survey_app.services.campaigns.membership import member_roles
from survey_app.services.field.rater_agreement import PairAgreement, campaign_agreement
from survey_app.services.findings.register import FINISHED
from survey_app.services.grades import locks
from survey_app.services.review.summary import Summary, summary

D = DecisionKind
# what the certificate becomes ("" : no certificate is issued)
EFFECT = {
    D.GRANT: "valid",
    D.MAINTAIN: "valid",
    D.RESTORE: "valid",
    D.SUSPEND: "suspended",
    D.WITHDRAW: "withdrawn",
    D.REFUSE: "",
}
# the certificate's status a decision may start from ("" : none issued, or not yet decided)
FROM = {
    D.GRANT: frozenset({"valid"}),
    D.MAINTAIN: frozenset({"valid"}),
    D.SUSPEND: frozenset({"valid"}),
    D.WITHDRAW: frozenset({"valid", "suspended"}),
    D.RESTORE: frozenset({"suspended"}),
    D.REFUSE: frozenset({"", "valid"}),
}
KEEPS_CERTIFICATE = frozenset({D.GRANT, D.MAINTAIN, D.RESTORE})  # an open major finding blocks these


@dataclass
class Basis:
    """What the decision rests on, as the decision page lists it."""

    locked: GradeSnapshot | None
    open_findings: dict[str, int]  # open (not finished) findings by type
    callbacks: Summary
    agreement: PairAgreement
    decisions: list[CertificationDecision]

    @property
    def status(self) -> str:
        return self.locked.certificate_status if self.locked and self.locked.certificate_token else ""

    @property
    def undecided(self) -> bool:
        """A certificate issued at the lock that no decision has granted yet."""
        return self.status == "valid" and not any(
            d.snapshot_id == (self.locked.id if self.locked else None) for d in self.decisions
        )

    def allowed(self) -> list[str]:
        """The decisions open now (what the form offers)."""
        out = []
        for kind in DecisionKind:
            if self.status not in FROM[kind]:
                continue
            if kind == D.GRANT and not self.undecided:
                continue
            if kind == D.MAINTAIN and self.undecided:
                continue
            if kind == D.REFUSE and self.status == "valid" and not self.undecided:
                continue
            out.append(str(kind))
        return out

    @property
    def blocks_grant(self) -> bool:
        return self.open_findings.get(FindingType.MAJOR, 0) > 0


def basis(*, session: Session, campaign: Campaign) -> Basis:
    locked = locks.latest_snapshot(session=session, campaign_id=campaign.id)
    open_by_type = dict(
        session.exec(
            select(Finding.type, func.count())
            .where(Finding.campaign_id == campaign.id, col(Finding.state).not_in(list(FINISHED)))
            .group_by(col(Finding.type))
        ).all()
    )
    _pairs, overall = campaign_agreement(session=session, campaign=campaign)
    return Basis(
        locked,
        open_by_type,
        summary(session=session, campaign=campaign),
        overall,
        decisions_of(session=session, campaign=campaign),
    )


def decisions_of(*, session: Session, campaign: Campaign) -> list[CertificationDecision]:
    query = select(CertificationDecision).where(CertificationDecision.campaign_id == campaign.id)
    return list(session.exec(query.order_by(col(CertificationDecision.id).desc())))


def check_impartial(*, session: Session, campaign: Campaign, reviewer: User) -> None:
    """A member of the campaign's audit team may not decide on it."""
    if member_roles(session=session, campaign_id=campaign.id, user_id=reviewer.id) & {"lead", "field"}:
        raise Forbidden("decision_impartiality")


def decide(
    *, session: Session, campaign: Campaign, reviewer: User, decision: str, reasons: str
) -> CertificationDecision:
    """Record a decision and move the certificate with it. Refused: not impartial (403); no reasons or an
    unknown decision (422); not open from the certificate's state, or an open major finding (409)."""
    check_impartial(session=session, campaign=campaign, reviewer=reviewer)
    if decision not in set(DecisionKind):
        raise Invalid("decision_unknown")
    if not reasons.strip():
        raise Invalid("decision_needs_reasons")
    found = basis(session=session, campaign=campaign)
    kind = DecisionKind(decision)
    if kind in KEEPS_CERTIFICATE and found.blocks_grant:
        raise Conflict("decision_major_open")
    if kind not in found.allowed():
        raise Conflict("decision_not_open" if found.locked else "decision_no_locked_grade")
    count = session.exec(
        select(func.count())
        .select_from(CertificationDecision)
        .where(CertificationDecision.campaign_id == campaign.id)
    ).one()
    locked = found.locked
    effect = EFFECT[kind]
    if locked is not None and locked.certificate_token and effect and effect != locked.certificate_status:
        locks.set_certificate_status(
            session=session, campaign=campaign, status=effect, reason=reasons, actor=reviewer.username
        )
    elif locked is not None and locked.certificate_token and kind == D.REFUSE:
        locks.set_certificate_status(
            session=session, campaign=campaign, status="withdrawn", reason=reasons, actor=reviewer.username
        )
        effect = "withdrawn"
    row = CertificationDecision(
        campaign_id=ident(campaign),
        number=f"CD-{campaign.code}-{int(count) + 1}",
        decision=str(kind),
        reasons=reasons.strip()[:4000],
        decided_by=reviewer.username[:60],
        snapshot_id=locked.id if locked else None,
        snapshot_sha256=locked.snapshot_sha256 if locked else "",
        open_major=found.open_findings.get(FindingType.MAJOR, 0),
        open_minor=found.open_findings.get(FindingType.MINOR, 0),
        certificate_status=effect if locked is not None and locked.certificate_token else "",
    )
    session.add(row)
    session.flush()
    audit.append(
        session=session,
        actor=reviewer.username,
        action="decision.record",
        campaign_id=campaign.id,
        subject=f"decision:{row.number}",
        new=str(kind),
        reason=row.reasons[:1000],
        detail={"certificate": row.certificate_status, "open_major": row.open_major},
    )
    return row


def latest(*, session: Session, campaign_id: int | None) -> CertificationDecision | None:
    return session.exec(
        select(CertificationDecision)
        .where(CertificationDecision.campaign_id == campaign_id)
        .order_by(col(CertificationDecision.id).desc())
    ).first()


def as_words(row: CertificationDecision) -> dict[str, Any]:
    return {"number": row.number, "decision": row.decision, "by": row.decided_by, "at": row.decided_at}
