"""Everything the evaluation report says, gathered in one read-only pass: the grade (the locked snapshot's
when the grade is locked, else the same computation the report page shows), the sample, the callbacks,
agreement, the cycles, the breakdown by building, the comments, the findings and the instrument's items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.models import (
    Campaign,
    CampaignMember,
    Finding,
    GradeSnapshot,
    InstrumentVersion,
    StoredScheme,
    SurveyResponse,
    User,
    Visit,
    VisitStatus,
)
from survey_app.services.campaigns.coverage import Coverage, campaign_coverage
from survey_app.services.campaigns.daily import responses_per_day
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.evaluation.breakdown import Breakdown, dimension_by_group
from survey_app.services.evaluation.comments import CommentSummary, summarise
from survey_app.services.field.rater_agreement import PairAgreement, campaign_agreement
from survey_app.services.findings.register import findings_of
from survey_app.services.grades import cycles, grading, locks
from survey_app.services.grades.schemes import campaign_rules
from survey_app.services.review import status
from survey_app.services.review.summary import Summary, summary

MIN_CELL = 5  # the report hides a building's dimension score below this many responses (as the page does)


@dataclass
class EvaluationFacts:
    campaign: Campaign
    scheme: StoredScheme
    made_at: datetime
    leads: list[str]
    result: dict[str, Any]
    locked: GradeSnapshot | None
    previous: Campaign | None
    change: dict[str, Any] | None
    history: list[tuple[Campaign, dict[str, Any]]]
    coverage: Coverage
    statuses: dict[str, int]
    callbacks: Summary
    visits: dict[str, int]  # finalised visits by mode (covert, open, interview)
    pairs: list[PairAgreement]
    overall_agreement: PairAgreement
    breakdown: Breakdown
    comments: CommentSummary
    findings: list[Finding]
    items: list[dict[str, Any]]  # the survey instrument's scored items (id, dimension, label, reverse)
    daily: list[tuple[date, int]]
    min_sample_location: int

    @property
    def report_number(self) -> str:
        return f"MC-{self.campaign.code}-{self.made_at:%Y%m%d}"

    @property
    def target(self) -> int | None:
        targets = [r.location.target for r in self.coverage.rows if r.location.target]
        return self.campaign.sample_target or (sum(t for t in targets if t) if targets else None)


def gather(*, session: Session, campaign: Campaign, min_cell: int = MIN_CELL) -> EvaluationFacts:
    scheme = session.get(StoredScheme, campaign.scheme_id)
    assert scheme is not None
    locked = locks.latest_snapshot(session=session, campaign_id=campaign.id)
    result = (
        locked.result
        if locked is not None
        else grading.compute(session=session, campaign=campaign)[0].to_dict()
    )
    leads = [
        (user.display_name or user.username)
        for user in session.exec(
            select(User)
            .join(CampaignMember, col(CampaignMember.user_id) == col(User.id))
            .where(CampaignMember.campaign_id == campaign.id, CampaignMember.role == "lead")
            .order_by(col(User.username))
        )
    ]
    statuses = dict(
        session.exec(
            select(SurveyResponse.status, func.count())
            .where(SurveyResponse.campaign_id == campaign.id)
            .group_by(col(SurveyResponse.status))
        ).all()
    )
    visits: dict[str, int] = {}
    for visit in session.exec(
        select(Visit).where(Visit.campaign_id == campaign.id, Visit.status == VisitStatus.FINAL)
    ):
        visits[visit.mode] = visits.get(visit.mode, 0) + 1
    pairs, overall = campaign_agreement(session=session, campaign=campaign)
    comments = [
        c
        for (c,) in session.connection().execute(
            select(SurveyResponse.comment).where(
                status.counted_clause(campaign.id), col(SurveyResponse.comment) != ""
            )
        )
    ]
    instrument = materialise(session.get(InstrumentVersion, campaign.survey_instrument_id))
    items = [
        {
            "id": i.id,
            "dimension": i.dimension or "",
            "label": {"zh": i.label.zh, "en": i.label.en},
            "reverse": i.reverse,
        }
        for i in instrument.items
        if i.scored
    ]
    previous = session.get(Campaign, campaign.previous_campaign_id) if campaign.previous_campaign_id else None
    return EvaluationFacts(
        campaign=campaign,
        scheme=scheme,
        made_at=utcnow(),
        leads=leads,
        result=result,
        locked=locked,
        previous=previous,
        change=cycles.cycle_change(session=session, campaign=campaign, current=result),
        history=cycles.history(session=session, campaign=campaign, current=result),
        coverage=campaign_coverage(session=session, campaign=campaign),
        statuses=statuses,
        callbacks=summary(session=session, campaign=campaign),
        visits=visits,
        pairs=pairs,
        overall_agreement=overall,
        breakdown=dimension_by_group(session=session, campaign=campaign, min_n=min_cell),
        comments=summarise(comments),
        findings=findings_of(session=session, campaign=campaign),
        items=items,
        daily=responses_per_day(session=session, campaign=campaign),
        min_sample_location=campaign_rules(session=session, campaign=campaign).min_sample_location,
    )
