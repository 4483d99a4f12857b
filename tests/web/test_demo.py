"""The demo data a newcomer meets after make run."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from tests.factories import (
    seed_graded_demo,
)


def test_demo_responses_fall_inside_their_campaign_window(session: Session) -> None:
    from survey_app.models import SurveyResponse

    campaign, _locations = seed_graded_demo(session)
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).all()
    assert len(rows) > 300
    assert all(campaign.starts_at <= r.submitted_at <= campaign.deadline for r in rows)
    assert all(r.started_at is None or r.started_at <= r.submitted_at for r in rows)
    assert all(re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", r.public_id) for r in rows), "readable receipts"
