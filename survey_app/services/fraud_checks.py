"""Score stored online responses with the fraud library, keep the verdicts, draw the callback sample."""

from __future__ import annotations

import json
import logging
import pickle
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from fraud.data import Items, Responses, parse_items, read_responses
from fraud.detector import ResponseAnomalyDetector
from fraud.sampling import select_callbacks
from fraud.scoring import MODEL_VERSION, Verdicts, design_matrix, score_responses, top_share
from fraud.supervised import LabelledReweighting, signals
from survey_app.db import unit_of_work
from survey_app.models import (
    CallbackPick,
    Campaign,
    FraudModel,
    ResponseStatus,
    Submission,
    ident,
)
from survey_app.services import audit, review
from survey_app.services.export import campaign_contract

log = logging.getLogger(__name__)
REFIT_GROWTH = 2.0  # refit when the campaign has doubled since the last fit
INTERVIEW_CHANNELS = ("offline", "phone")
MIN_CHANNEL_FIT = 20
SCORED_STATUSES = (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED)


@dataclass(frozen=True)
class Batch:
    rows: list[Submission]
    items: Items
    responses: Responses


def load_batch(*, session: Session, campaign: Campaign, channel: str = "online") -> Batch:
    """The campaign's responses of one channel to its current instrument, as the fraud library reads them.
    Interviews are all entered on an auditor's phone: their device and network say nothing about the
    respondent, so each interview stands for itself there (timing and answer patterns still speak)."""
    contract = campaign_contract(session=session, campaign=campaign, channel=channel)
    items = parse_items(contract.items)
    found = contract.lines
    if channel != "online":
        found = [{**line, "client_id": line["id"], "ip_hash": line["id"], "user_agent": ""} for line in found]
    lines = (json.dumps(line, ensure_ascii=False) for line in found)
    return Batch(contract.rows, items, read_responses(lines, items, source=f"campaign {campaign.code}"))


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
    verdicts: list[Verdict]
    model_version: str = MODEL_VERSION
    model_blob: bytes | None = None  # a newly fitted model to store
    n_responses: int = 0
    labels_detail: dict[str, Any] | None = None


def _verdicts(rows: list[Submission], verdicts: Verdicts, only: set[int] | None = None) -> list[Verdict]:
    position = {rid: i for i, rid in enumerate(verdicts.ids)}
    out = []
    for row in rows:
        i = position.get(row.public_id)
        if i is None or (only is not None and row.id not in only):
            continue
        families = sorted(set(verdicts.families[i])) if verdicts.families else []
        out.append(
            Verdict(
                response_id=ident(row),
                score=float(verdicts.score[i]),
                reasons=[
                    {"zh": zh, "en": en}
                    for zh, en in zip(verdicts.reasons_zh[i], verdicts.reasons_en[i], strict=True)
                ],
                families="," + ",".join(families) + "," if families else "",
                flagged=bool(verdicts.flagged[i]),
            )
        )
    return out


def plan_rescore(
    *, session: Session, campaign: Campaign, budget: float | None = None, seed: int = 0
) -> ScoringPlan:
    """Fit the detector once on the whole campaign (with the callback labels where they help); read-only."""
    batch = load_batch(session=session, campaign=campaign)
    plan = ScoringPlan(ident(campaign), interview_verdicts(session=session, campaign=campaign, seed=seed))
    if not batch.rows:
        return plan
    detector = _fit(batch, seed)  # fitted once: the same detector scores the batch and is stored
    share = budget or campaign.callback_rate
    verdicts = score_responses(batch.responses, batch.items, budget=share, detector=detector)
    reweight, plan.labels_detail = _learn_from_labels(session, campaign, verdicts, detector)
    _apply(reweight, detector, verdicts, share)
    plan.verdicts += _verdicts(batch.rows, verdicts)
    plan.model_blob = pickle.dumps({"detector": detector, "reweight": reweight})
    plan.n_responses = len(batch.rows)
    return plan


def plan_pending(*, session: Session, campaign: Campaign) -> ScoringPlan:
    """Verdicts for the campaign's responses that have no score yet, with its current model (fitted when there
    is none or the campaign has doubled since); the flag follows the full rescore's rule (the top
    `callback_rate` share of the campaign's scores). Read-only."""
    model = latest_model(session=session, campaign=campaign)
    batch = load_batch(session=session, campaign=campaign)
    pending = {ident(r) for r in batch.rows if r.fraud_score is None}
    if not pending:
        return ScoringPlan(ident(campaign), _waiting_interviews(session, campaign))
    stale = model is not None and model.model_version != MODEL_VERSION  # fitted by an older release
    if model is None or stale or len(batch.rows) >= REFIT_GROWTH * max(model.n_responses, 10):
        return plan_rescore(session=session, campaign=campaign)
    stored = pickle.loads(model.blob)  # our own pickle, written by a rescore
    detector = stored["detector"] if isinstance(stored, dict) else stored
    verdicts = score_responses(batch.responses, batch.items, budget=campaign.callback_rate, detector=detector)
    reweight = stored.get("reweight") if isinstance(stored, dict) else None
    _apply(reweight, detector, verdicts, campaign.callback_rate)
    plan = ScoringPlan(ident(campaign), _verdicts(batch.rows, verdicts, only=pending))
    plan.verdicts += _waiting_interviews(session, campaign)
    return plan


def _waiting_interviews(session: Session, campaign: Campaign) -> list[Verdict]:
    """Interview verdicts only when an interview waits for its score (a fit per channel is not free)."""
    waiting = session.exec(
        select(Submission.id).where(
            Submission.campaign_id == campaign.id,
            col(Submission.channel).in_(INTERVIEW_CHANNELS),
            col(Submission.fraud_score).is_(None),
        )
    ).first()
    return interview_verdicts(session=session, campaign=campaign) if waiting is not None else []


def interview_verdicts(*, session: Session, campaign: Campaign, seed: int = 0) -> list[Verdict]:
    """Face-to-face and phone interviews scored per channel: each channel's own detector (interviews are
    few, so it is fitted afresh), flags on the same share as online. A channel with fewer than
    MIN_CHANNEL_FIT interviews is left unscored: too few to say what is unusual."""
    out: list[Verdict] = []
    for channel in INTERVIEW_CHANNELS:
        count = session.exec(
            select(func.count())
            .select_from(Submission)
            .where(
                Submission.campaign_id == campaign.id,
                Submission.channel == channel,
                Submission.instrument_version_id == campaign.survey_instrument_id,
            )
        ).one()
        if count < MIN_CHANNEL_FIT:
            continue
        batch = load_batch(session=session, campaign=campaign, channel=channel)
        detector = _fit(batch, seed)
        verdicts = score_responses(
            batch.responses, batch.items, budget=campaign.callback_rate, detector=detector
        )
        out += _verdicts(batch.rows, verdicts)
    return out


def apply_plan(*, session: Session, plan: ScoringPlan, only_unscored: bool = False) -> int:
    """Write a plan: scores, reasons, status moves through the review door, the new model; return how many."""
    written = 0
    rows: dict[int, Submission] = {}
    ids = [v.response_id for v in plan.verdicts]
    for start in range(0, len(ids), 1000):  # the rows in a few queries, not one per verdict
        chunk = ids[start : start + 1000]
        rows.update(
            (ident(r), r) for r in session.exec(select(Submission).where(col(Submission.id).in_(chunk)))
        )
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
        if response.status in SCORED_STATUSES and response.status != to:
            detail = {"score": round(verdict.score, 4), "model": plan.model_version}
            review.transition(session, response, to=to, actor="fraud-model", kind="model", detail=detail)
    if plan.model_blob is not None:
        session.add(
            FraudModel(
                campaign_id=plan.campaign_id,
                model_version=plan.model_version,
                n_responses=plan.n_responses,
                blob=plan.model_blob,
            )
        )
    if plan.labels_detail is not None:
        campaign = session.get(Campaign, plan.campaign_id)
        audit.append(
            session,
            actor="fraud-model",
            action="fraud.labels",
            campaign_id=plan.campaign_id,
            subject=f"campaign:{campaign.code if campaign else plan.campaign_id}",
            detail=plan.labels_detail,
        )
    session.flush()
    return written


def rescore_campaign(
    *, session: Session, campaign: Campaign, budget: float | None = None, seed: int = 0
) -> int:
    """Refit the detector on the whole campaign, store every verdict and the model; return how many."""
    return apply_plan(
        session=session, plan=plan_rescore(session=session, campaign=campaign, budget=budget, seed=seed)
    )


def score_pending(*, session: Session, campaign: Campaign) -> int:
    """Score the campaign's responses that have no score yet, in one pass; return how many."""
    return apply_plan(
        session=session, plan=plan_pending(session=session, campaign=campaign), only_unscored=True
    )


def _learn_from_labels(
    session: Session, campaign: Campaign, verdicts: Verdicts, detector: ResponseAnomalyDetector
) -> tuple[LabelledReweighting | None, dict[str, Any] | None]:
    """With enough callback labels, a re-weighting of the signal families (used only where it helps)."""
    from survey_app.services.callbacks import labels

    position = {rid: n for n, rid in enumerate(verdicts.ids)}
    known = [(position[rid], label) for rid, label, _source in labels(session, campaign) if rid in position]
    if len(known) < 30:
        return None, None
    idx = np.array([i for i, _ in known])
    y = np.array([label for _, label in known])
    X, *_rest = design_matrix(verdicts.features)  # noqa: N806
    model = LabelledReweighting().fit(signals(detector, X)[idx], verdicts.score[idx], y)
    detail = {
        "labels": len(known),
        "fakes": int(y.sum()),
        "used": bool(model.used_),
        "cv_auc": round(model.cv_auc_, 4) if model.cv_auc_ == model.cv_auc_ else None,
        "base_auc": round(model.base_auc_, 4) if model.base_auc_ == model.base_auc_ else None,
    }
    return (model if model.used_ else None), detail


def _apply(
    reweight: LabelledReweighting | None, detector: ResponseAnomalyDetector, verdicts: Verdicts, share: float
) -> None:
    """Re-rank with the labels when they were learnt from (the flags follow the new ranking)."""
    if reweight is None or not len(verdicts.score):
        return
    X, *_rest = design_matrix(verdicts.features)  # noqa: N806
    verdicts.score = reweight.score(signals(detector, X), verdicts.score)
    verdicts.flagged = top_share(verdicts.score, share)


def _fit(batch: Batch, seed: int) -> ResponseAnomalyDetector:
    from fraud.features import extract_features

    X, meta, _h, _v = design_matrix(extract_features(batch.responses, batch.items))
    return ResponseAnomalyDetector(features=meta, random_state=seed).fit(X)


def latest_model(*, session: Session, campaign: Campaign) -> FraudModel | None:
    return session.exec(
        select(FraudModel).where(FraudModel.campaign_id == campaign.id).order_by(col(FraudModel.id).desc())
    ).first()


def unscored_campaigns(*, session: Session) -> list[int]:
    """Campaigns with online responses waiting for a score (after a crash, or while the worker was down)."""
    query = select(Submission.campaign_id).where(
        col(Submission.fraud_score).is_(None), Submission.channel == "online"
    )
    return sorted(set(session.exec(query.distinct()).all()))


def score_in_background(engine: Engine, campaign_id: int) -> int:
    """A job: compute the campaign's waiting verdicts in a read-only unit (no lock while the model works),
    then write them in one short transaction. A failure is logged, never raised: the next sweep takes them."""
    try:
        with unit_of_work(engine, write=False) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                return 0
            plan = plan_pending(session=session, campaign=campaign)
        if not plan.verdicts:
            return 0
        with unit_of_work(engine) as session:
            return apply_plan(session=session, plan=plan, only_unscored=True)
    except Exception:
        log.exception("scoring the waiting responses of campaign %s failed", campaign_id)
        return 0


def draw_callbacks(
    *,
    session: Session,
    campaign: Campaign,
    seed: int,
    actor: str = "system",
    random_share: float = 0.3,
    cluster_cap: int = 3,
) -> list[CallbackPick]:
    """Draw and store the callback sample from the stored scores (rescore first)."""
    rows = [r for r in load_batch(session=session, campaign=campaign).rows if r.fraud_score is not None]
    if not rows:
        return []
    reasons = ["；".join(reason["zh"] for reason in r.fraud_reasons) for r in rows]
    picks = select_callbacks(
        [r.fraud_score or 0.0 for r in rows],
        rate=campaign.callback_rate,
        random_share=random_share,
        seed=seed,
        clusters=[r.client_id or r.public_id for r in rows],
        cluster_cap=cluster_cap,
        reasons=reasons,
    )
    draw_id = f"d-{uuid.uuid4().hex[:10]}"
    stored = []
    for rank, pick in enumerate(picks, start=1):
        response = rows[pick.index]
        stored.append(
            CallbackPick(
                campaign_id=ident(campaign),
                draw_id=draw_id,
                response_id=ident(response),
                rank=rank,
                kind=pick.kind,
                reason=pick.reason[:600],
                score=pick.score,
                seed=seed,
            )
        )
        if response.status in SCORED_STATUSES:
            review.transition(
                session,
                response,
                to=ResponseStatus.CALLBACK_DUE,
                actor=actor,
                kind="draw",
                detail={"draw": draw_id, "pick": pick.kind},
            )
    session.add_all(stored)
    audit.append(
        session,
        actor=actor,
        action="callbacks.draw",
        campaign_id=campaign.id,
        subject=f"draw:{draw_id}",
        detail={"seed": seed, "picked": len(stored)},
    )
    session.flush()
    return stored
