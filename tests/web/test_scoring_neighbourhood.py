"""Issue 12: a new response is scored with only the responses its features depend on, and its score, flag,
reasons and families equal what scoring it inside the whole campaign with the same model gives."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from grading.codes import encode
from survey_app.models import Campaign, FraudModel, InstrumentVersion, SurveyResponse
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.demo.estate import add_simulated
from survey_app.services.scoring import neighbourhood, verdicts
from survey_app.services.scoring.scope import records, scope
from survey_app.services.scoring.verdicts import plan_pending
from tests.factories import make_campaign


def _grow(session: Session, campaign: Campaign, n: int, seed: int) -> list[int]:
    """Add `n` unscored responses that share devices, networks, locations, times and comments with the
    stored ones (repeats, household phones, copied and near-copied comments, straight-liners)."""
    rng = random.Random(seed)
    instrument = materialise(session.get(InstrumentVersion, campaign.survey_instrument_id))
    old = list(session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)))
    talkative = [r for r in old if len(r.comment) >= 8]
    added = []
    for k in range(n):
        base = rng.choice(old)
        answers = {
            key: (rng.randint(1, 5) if k % 4 else 5) for key in base.answers
        }  # a quarter straight-line
        shift = timedelta(seconds=rng.randint(-400, 400))
        comment = base.comment
        if k % 6 == 2 and talkative:
            comment = rng.choice(talkative).comment  # an exact copy
        elif k % 6 == 3 and talkative:
            comment = rng.choice(talkative).comment + "啊"  # a near copy
        row = SurveyResponse(
            public_id=f"T{seed}{k:04d}",
            idempotency_key=f"grow-{seed}-{k}",
            campaign_id=campaign.id or 0,
            location_id=base.location_id,
            instrument_version_id=campaign.survey_instrument_id,
            channel="online",
            answers=answers,
            answer_codes=encode(instrument, answers),
            item_ms=dict(base.item_ms),
            comment=comment,
            client_id=base.client_id if k % 6 in (0, 1) else (f"new-{seed}-{k}" if k % 6 != 5 else ""),
            ip_hash=base.ip_hash if k % 3 else f"ip-{seed}-{k}",
            user_agent=base.user_agent,
            started_at=(base.started_at or base.submitted_at) + shift,
            submitted_at=base.submitted_at + shift + timedelta(seconds=rng.randint(0, 200)),
        )
        session.add(row)
        session.flush()
        added.append(row.id or 0)
    session.commit()
    return added


def _full_with_same_model(session: Session, campaign: Campaign) -> dict[int, Any]:
    screen = verdicts.stored_screen(verdicts.latest_model(session=session, campaign=campaign))
    assert screen is not None
    rows = list(session.exec(select(SurveyResponse).where(*scope(campaign)).order_by(col(SurveyResponse.id))))
    _items, responses = records(session=session, campaign=campaign, rows=rows)
    return {v.response_id: v for v in verdicts._verdicts(rows, screen.verdicts(responses))}


@pytest.fixture
def grown(session: Session) -> tuple[Campaign, list[int]]:
    campaign, locations = make_campaign(session, code="SC-1", locations=6)
    add_simulated(session=session, campaign=campaign, locations=locations, n_genuine=600, seed=5)
    session.commit()
    return campaign, _grow(session, campaign, 60, seed=9)


def test_a_new_response_scores_as_in_the_whole_campaign(
    session: Session, grown: tuple[Campaign, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, added = grown
    fits = session.exec(select(func.count()).select_from(FraudModel)).one()
    seen: list[int] = []
    real = neighbourhood.neighbourhood

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        seen.append(len(found.rows))
        return found

    monkeypatch.setattr(verdicts, "neighbourhood", spy)
    plan = plan_pending(session=session, campaign=campaign)
    assert plan.model is None, "scored with the stored model, not refitted"
    assert session.exec(select(func.count()).select_from(FraudModel)).one() == fits
    total = session.exec(select(func.count()).select_from(SurveyResponse)).one()
    assert seen and seen[0] <= 10 * len(added), f"read {seen[0]} of {total} responses for {len(added)}"

    full = _full_with_same_model(session, campaign)
    mine = {v.response_id: v for v in plan.verdicts}
    assert set(mine) == set(added)
    for rid in added:
        alone, whole = mine[rid], full[rid]
        assert alone.score == pytest.approx(whole.score, abs=1e-9), rid
        assert alone.flagged == whole.flagged, rid
        assert alone.reasons == whole.reasons, rid
        assert alone.families == whole.families, rid
    assert any(v.flagged for v in mine.values()), "straight-liners are flagged by the stored cut"


def test_scoring_the_waiting_responses_writes_them_once(
    session: Session, grown: tuple[Campaign, list[int]]
) -> None:
    campaign, added = grown
    assert verdicts.score_pending(session=session, campaign=campaign) == len(added)
    session.commit()
    waiting = select(func.count()).where(
        col(SurveyResponse.campaign_id) == campaign.id, col(SurveyResponse.fraud_score).is_(None)
    )
    assert session.exec(waiting).one() == 0
    assert verdicts.score_pending(session=session, campaign=campaign) == 0
