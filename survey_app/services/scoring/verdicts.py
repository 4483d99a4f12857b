"""Score a campaign's stored responses with the fraud library's one fitted object, "the screen"
(`fraud.model.ResponseScreen`), and keep the verdicts: plans are computed in a read-only unit (no lock while
the model works) and written in one short transaction by `apply_plan`, every status move through the status
door.

Fitting (`plan_rescore`): the whole campaign's online responses, with the callback labels, once; the fitted
screen is stored. Scoring (`plan_pending`): a waiting response with the stored screen and only the responses
its features depend on (`scoring.neighbourhood`), so the cost does not grow with the campaign.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from fraud.data import Responses
from fraud.model import ResponseScreen
from fraud.scoring import MODEL_VERSION, Verdicts
from survey_app.models import Campaign, FraudModel, ResponseStatus, SurveyResponse, ident
from survey_app.services import audit
from survey_app.services.review import status
from survey_app.services.review.summary import labels
from survey_app.services.scoring.neighbourhood import fix_groups, neighbourhood
from survey_app.services.scoring.scope import has_rated_items, records, scope

log = logging.getLogger(__name__)
REFIT_GROWTH = 2.0  # refit when the campaign has doubled since the last fit
INTERVIEW_CHANNELS = ("offline", "phone")
MIN_CHANNEL_FIT = 20
SCORED_STATUSES = (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED)
PENDING_BATCH = 2000  # waiting responses scored per pass (a backlog drains in passes of this size)
KEPT_MODELS = 8  # unpickled models kept per process (the campaigns being scored now)


@dataclass(frozen=True)
class Verdict:
    """One response's verdict as plain data (computed outside any write transaction)."""

    response_id: int
    score: float
    reasons: list[dict[str, str]]
    families: str
    flagged: bool


@dataclass
class ScoringPlan:
    """What a scoring pass decided, to be written in one short transaction (`apply_plan`)."""

    campaign_id: int
    verdicts: list[Verdict] = field(default_factory=list)
    model_version: str = MODEL_VERSION
    model: ResponseScreen | None = None  # a newly fitted screen to store
    n_responses: int = 0


def _verdicts(rows: list[SurveyResponse], found: Verdicts, only: set[int] | None = None) -> list[Verdict]:
    position = {rid: i for i, rid in enumerate(found.ids)}
    out = []
    for row in rows:
        i = position.get(row.public_id)
        if i is None or (only is not None and row.id not in only):
            continue
        families = sorted(set(found.families[i])) if found.families else []
        out.append(
            Verdict(
                response_id=ident(row),
                score=float(found.score[i]),
                reasons=[
                    {"zh": zh, "en": en}
                    for zh, en in zip(found.reasons_zh[i], found.reasons_en[i], strict=True)
                ],
                families="," + ",".join(families) + "," if families else "",
                flagged=bool(found.flagged[i]),
            )
        )
    return out


def _online(*, session: Session, campaign: Campaign) -> list[SurveyResponse]:
    query = select(SurveyResponse).where(*scope(campaign)).order_by(col(SurveyResponse.id))
    return list(session.exec(query))


def _labels(*, session: Session, campaign: Campaign, responses: Responses) -> np.ndarray:
    """Per response: 1 confirmed fake, 0 confirmed genuine, -1 unlabelled (callbacks, then decisions)."""
    position = {rid: n for n, rid in enumerate(responses.ids)}
    y = np.full(len(responses.ids), -1)
    for rid, label, _source in labels(session=session, campaign=campaign):
        if rid in position:
            y[position[rid]] = label
    return y


def fit_screen(
    *,
    session: Session,
    campaign: Campaign,
    rows: list[SurveyResponse],
    seed: int = 0,
    share: float | None = None,
) -> tuple[ResponseScreen, Responses]:
    """Fit the campaign's screen once on these responses (with the callback labels where they help)."""
    items, responses = records(session=session, campaign=campaign, rows=rows)
    y = _labels(session=session, campaign=campaign, responses=responses)
    contamination = min(0.5, share or campaign.callback_rate)
    screen = ResponseScreen(items, contamination=contamination, random_state=seed)
    return screen.fit(responses, y), responses


def plan_rescore(
    *, session: Session, campaign: Campaign, budget: float | None = None, seed: int = 0
) -> ScoringPlan:
    """Fit the screen on the whole campaign and score every response with it; read-only."""
    if not has_rated_items(session=session, campaign=campaign):
        return ScoringPlan(ident(campaign), [])
    rows = _online(session=session, campaign=campaign)
    plan = ScoringPlan(ident(campaign), interview_verdicts(session=session, campaign=campaign, seed=seed))
    if not rows:
        return plan
    screen, responses = fit_screen(session=session, campaign=campaign, rows=rows, seed=seed, share=budget)
    plan.verdicts += _verdicts(rows, screen.verdicts(responses))
    plan.model, plan.n_responses = screen, len(rows)
    return plan


def plan_pending(*, session: Session, campaign: Campaign) -> ScoringPlan:
    """Verdicts for the campaign's responses that have no score yet, with its current screen (fitted when
    there is none, it is an older release's, or the campaign has doubled since). A waiting response is scored
    with only the responses its features depend on, so the cost does not grow with the campaign; it is flagged
    from the screen's cut up, the rule the full rescore applied. Read-only."""
    if not has_rated_items(session=session, campaign=campaign):
        return ScoringPlan(ident(campaign), [])  # nothing to screen on: no rated questions
    pending = list(
        session.exec(
            select(SurveyResponse)
            .where(*scope(campaign), col(SurveyResponse.fraud_score).is_(None))
            .order_by(col(SurveyResponse.id))
            .limit(PENDING_BATCH)
        )
    )
    if not pending:
        return ScoringPlan(ident(campaign), _waiting_interviews(session=session, campaign=campaign))
    model = latest_model(session=session, campaign=campaign)
    total = session.exec(select(func.count()).select_from(SurveyResponse).where(*scope(campaign))).one()
    screen = stored_screen(model)
    if model is None or screen is None or total >= REFIT_GROWTH * max(model.n_responses, 10):
        return plan_rescore(session=session, campaign=campaign)
    return plan_context(session=session, campaign=campaign, pending=pending, screen=screen)


def plan_context(
    *, session: Session, campaign: Campaign, pending: list[SurveyResponse], screen: ResponseScreen
) -> ScoringPlan:
    """Score `pending` with a stored screen and their neighbourhood alone (read-only)."""
    reference = screen.reference_
    assert reference is not None, "a campaign's screen is fitted on records"
    near = neighbourhood(session=session, campaign=campaign, pending=pending, reference=reference)
    _items, responses = records(session=session, campaign=campaign, rows=near.rows)
    ids = {row.public_id: ident(row) for row in near.rows}
    found = screen.verdicts(
        responses,
        fixup=lambda fm: fix_groups(fm=fm, ids=ids, near=near, reference=reference),
        explain_only=[row.public_id for row in pending],
    )
    plan = ScoringPlan(ident(campaign), _verdicts(near.rows, found, only={ident(r) for r in pending}))
    plan.verdicts += _waiting_interviews(session=session, campaign=campaign)
    return plan


_unpickled: dict[tuple[Any, ...], ResponseScreen | None] = {}


def stored_screen(model: FraudModel | None) -> ResponseScreen | None:
    """The stored screen, when it is this release's (else it is refitted); unpickled once per process (a
    stored model never changes)."""
    if model is None or model.model_version != MODEL_VERSION:
        return None
    key = (model.id, model.campaign_id, model.fitted_at, model.n_responses)
    if key not in _unpickled:
        found = pickle.loads(model.blob)  # our own pickle, written by a rescore; the blob is read here only
        while len(_unpickled) >= KEPT_MODELS:
            _unpickled.pop(next(iter(_unpickled)))
        _unpickled[key] = (
            found if isinstance(found, ResponseScreen) and found.reference_ is not None else None
        )
    return _unpickled[key]


def _waiting_interviews(*, session: Session, campaign: Campaign) -> list[Verdict]:
    """Interview verdicts only when an interview waits for its score (a fit per channel is not free)."""
    waiting = session.exec(
        select(SurveyResponse.id).where(
            SurveyResponse.campaign_id == campaign.id,
            col(SurveyResponse.channel).in_(INTERVIEW_CHANNELS),
            col(SurveyResponse.fraud_score).is_(None),
        )
    ).first()
    return interview_verdicts(session=session, campaign=campaign) if waiting is not None else []


def interview_verdicts(*, session: Session, campaign: Campaign, seed: int = 0) -> list[Verdict]:
    """Face-to-face and phone interviews scored per channel: each channel's own screen (interviews are few, so
    it is fitted afresh), flags on the same share as online. A channel with fewer than MIN_CHANNEL_FIT
    interviews is left unscored: too few to say what is unusual."""
    out: list[Verdict] = []
    for channel in INTERVIEW_CHANNELS:
        rows = list(
            session.exec(
                select(SurveyResponse)
                .where(
                    SurveyResponse.campaign_id == campaign.id,
                    SurveyResponse.channel == channel,
                    SurveyResponse.instrument_version_id == campaign.survey_instrument_id,
                )
                .order_by(col(SurveyResponse.id))
            )
        )
        if len(rows) < MIN_CHANNEL_FIT:
            continue
        items, responses = records(session=session, campaign=campaign, rows=rows, interviews=True)
        screen = ResponseScreen(items, contamination=min(0.5, campaign.callback_rate), random_state=seed)
        out += _verdicts(rows, screen.fit(responses).verdicts(responses))
    return out


def apply_plan(*, session: Session, plan: ScoringPlan, only_unscored: bool = False) -> int:
    """Write a plan: scores, reasons, status moves through the status door (none once the grade is locked:
    the score is kept, what counts does not change), the new screen; return how many verdicts were written."""
    written = 0
    rows: dict[int, SurveyResponse] = {}
    ids = [v.response_id for v in plan.verdicts]
    for start in range(0, len(ids), 1000):  # the rows in a few queries, not one per verdict
        chunk = ids[start : start + 1000]
        rows.update(
            (ident(r), r)
            for r in session.exec(select(SurveyResponse).where(col(SurveyResponse.id).in_(chunk)))
        )
    frozen = status.moves_frozen(session=session, campaign_id=plan.campaign_id)
    for verdict in plan.verdicts:
        response = rows.get(verdict.response_id)
        if response is None or (only_unscored and response.fraud_score is not None):
            continue  # another pass got there first
        response.fraud_score = verdict.score
        response.fraud_reasons = verdict.reasons
        response.fraud_model_version = plan.model_version
        response.fraud_families = verdict.families
        session.add(response)
        written += 1
        to = ResponseStatus.FLAGGED if verdict.flagged else ResponseStatus.RECEIVED
        if response.status in SCORED_STATUSES and response.status != to and not frozen:
            detail = {"score": round(verdict.score, 4), "model": plan.model_version}
            status.transition(
                session=session, response=response, to=to, actor="fraud-model", kind="model", detail=detail
            )
    if plan.model is not None:
        session.add(
            FraudModel(
                campaign_id=plan.campaign_id,
                model_version=plan.model_version,
                n_responses=plan.n_responses,
                blob=pickle.dumps(plan.model),
            )
        )
        detail = plan.model.labels_detail
        if detail["labels"]:
            audit.append(
                session=session,
                actor="fraud-model",
                action="fraud.labels",
                campaign_id=plan.campaign_id,
                subject=f"campaign:{plan.campaign_id}",
                detail=detail,
            )
    session.flush()
    return written


def rescore_campaign(
    *, session: Session, campaign: Campaign, budget: float | None = None, seed: int = 0
) -> int:
    """Refit the screen on the whole campaign, store every verdict and the screen; return how many."""
    return apply_plan(
        session=session, plan=plan_rescore(session=session, campaign=campaign, budget=budget, seed=seed)
    )


def score_pending(*, session: Session, campaign: Campaign) -> int:
    """Score the campaign's responses that have no score yet, in one pass; return how many."""
    return apply_plan(
        session=session, plan=plan_pending(session=session, campaign=campaign), only_unscored=True
    )


def latest_model(*, session: Session, campaign: Campaign) -> FraudModel | None:
    """The campaign's newest model; its blob (megabytes) is read only when it is used (`stored_screen`)."""
    return session.exec(
        select(FraudModel)
        .options(defer(FraudModel.blob))  # type: ignore[arg-type]
        .where(FraudModel.campaign_id == campaign.id)
        .order_by(col(FraudModel.id).desc())
    ).first()


def unscored_campaigns(*, session: Session) -> list[int]:
    """Campaigns with online responses waiting for a score (after a crash, or while the worker was down)."""
    query = select(SurveyResponse.campaign_id).where(
        col(SurveyResponse.fraud_score).is_(None), SurveyResponse.channel == "online"
    )
    return sorted(set(session.exec(query.distinct()).all()))
