"""Follow-up visits: a covert or open visit scheduled to verify a finding, and what came of it (the visit's
status and, once reconciled, its final score and note), shown on the finding."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from forms.numbers import whole_number
from survey_app.errors import Invalid, NotFound
from survey_app.models import Campaign, Finding, Visit
from survey_app.services.findings.register import FINISHED, by_number


def finding_to_verify(*, session: Session, campaign: Campaign, number: str) -> int | None:
    """The id of the campaign's unfinished finding with this number ("" : none); refused otherwise."""
    if not number.strip():
        return None
    wanted = whole_number(number.strip(), low=1, high=10**9)  # the one number parser (ASCII digits, bounded)
    if wanted is None:
        raise Invalid("visit_bad_finding")
    try:
        finding = by_number(session=session, campaign=campaign, number=wanted)
    except NotFound:
        raise Invalid("visit_bad_finding") from None
    if finding.state in FINISHED:
        raise Invalid("visit_bad_finding")
    return finding.id


@dataclass(frozen=True)
class FollowUp:
    visit: Visit
    done: bool


def followup_visits(*, session: Session, finding: Finding) -> list[FollowUp]:
    query = select(Visit).where(Visit.finding_id == finding.id).order_by(col(Visit.window_start))
    return [FollowUp(v, v.final_at is not None) for v in session.exec(query)]
