"""The demo's review loop: consenting respondents with phone numbers, a drawn callback sample, a few recorded
calls and decisions, so a newcomer sees the whole desk at once."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.models import CallbackPick, Campaign, SurveyResponse
from survey_app.services.review import callbacks
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.services.review.contacts import ContactCipher

LEAD = "lead"
# (pick kind, n-th pick of that kind) -> (call outcome, decision, reason)
SCRIPT = [
    ("flagged", 0, "denies", "exclude", "回访：住户表示从未填写过本问卷"),
    ("flagged", 1, "denies", "exclude", "回访：号码机主否认填写，疑为代填"),
    ("flagged", 2, "confirmed", "count", "回访：住户确认本人填写，答得很快是因为很熟悉物业"),
    ("flagged", 3, "unreachable", "pending", "三次未接通，明天再打"),
    ("random", 0, "confirmed", "count", "回访：住户确认本人填写"),
    ("random", 1, "confirmed", "count", "回访：住户确认本人填写"),
]


def seed_review_demo(*, session: Session, campaign: Campaign, cipher: ContactCipher) -> int:
    """Phones for about one respondent in ten (every callback pick among them), a draw (seed 42) and the calls
    above; returns how many calls were recorded (0 when the campaign already has a draw)."""
    if session.exec(select(CallbackPick).where(CallbackPick.campaign_id == campaign.id)).first() is not None:
        return 0
    picks = draw_callbacks(session=session, campaign=campaign, seed=42, actor=LEAD)
    rng = random.Random(42)
    picked = {p.response_id for p in picks}
    rows = session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id)
        .order_by(col(SurveyResponse.id))
    ).all()
    for response in rows:
        if response.id in picked or rng.random() < 0.05:
            response.contact_consent = True
            response.contact_phone = cipher.encrypt(f"139{rng.randrange(10**8):08d}")
            session.add(response)
    by_kind: dict[str, list[int]] = {"flagged": [], "random": []}
    for pick in picks:
        by_kind[pick.kind].append(pick.response_id)
    recorded = 0
    for kind, nth, outcome, decision, reason in SCRIPT:
        if nth >= len(by_kind[kind]):
            continue
        target = session.get(SurveyResponse, by_kind[kind][nth])
        if target is None:
            continue
        called = utcnow() - timedelta(hours=20 - recorded)
        callbacks.record_attempt(
            session=session, response=target, outcome=outcome, note=reason, actor=LEAD, called_at=called
        )
        callbacks.decide(session=session, response=target, decision=decision, reason=reason, actor=LEAD)
        recorded += 1
    session.flush()
    return recorded
