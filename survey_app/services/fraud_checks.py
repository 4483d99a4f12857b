"""Score stored online responses with the fraud library, keep the verdicts, draw the callback sample."""

from __future__ import annotations

import json
import logging
import pickle
import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

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
SCORED_STATUSES = (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED)


@dataclass(frozen=True)
class Batch:
    rows: list[Submission]
    items: Items
    responses: Responses


def load_batch(*, session: Session, campaign: Campaign) -> Batch:
    """The campaign's online responses to its current instrument, as the fraud library reads them."""
    contract = campaign_contract(session=session, campaign=campaign, channel="online")
    items = parse_items(contract.items)
    lines = (json.dumps(line, ensure_ascii=False) for line in contract.lines)
    return Batch(contract.rows, items, read_responses(lines, items, source=f"campaign {campaign.code}"))


def _keep_verdict(session: Session, response: Submission, verdicts: Verdicts, i: int, flagged: bool) -> None:
    """Store one response's score and reasons; the flag moves its status through the review door."""
    response.fraud_score = float(verdicts.score[i])
    response.fraud_reasons = [
        {"zh": zh, "en": en} for zh, en in zip(verdicts.reasons_zh[i], verdicts.reasons_en[i], strict=True)
    ]
    response.fraud_model_version = verdicts.model_version
    families = sorted(set(verdicts.families[i])) if verdicts.families else []
    response.fraud_families = "," + ",".join(families) + "," if families else ""
    session.add(response)
    if response.status in SCORED_STATUSES:
        to = ResponseStatus.FLAGGED if flagged else ResponseStatus.RECEIVED
        if response.status != to:
            review.transition(
                session,
                response,
                to=to,
                actor="fraud-model",
                kind="model",
                detail={"score": round(response.fraud_score, 4), "model": verdicts.model_version},
            )


def _store(rows: list[Submission], by_id: dict[str, int], verdicts: Verdicts, *, session: Session) -> None:
    for i, rid in enumerate(verdicts.ids):
        _keep_verdict(session, rows[by_id[rid]], verdicts, i, bool(verdicts.flagged[i]))


def rescore_campaign(
    *, session: Session, campaign: Campaign, budget: float | None = None, seed: int = 0
) -> int:
    """Refit the detector on the whole campaign, store every verdict and the model; return how many."""
    batch = load_batch(session=session, campaign=campaign)
    if not batch.rows:
        return 0
    detector = _fit(batch, seed)  # fitted once: the same detector scores the batch and is stored
    share = budget or campaign.callback_rate
    verdicts = score_responses(batch.responses, batch.items, budget=share, detector=detector)
    reweight = _learn_from_labels(session, campaign, batch, detector, verdicts)
    _apply(reweight, detector, verdicts, share)
    _store(batch.rows, {r.public_id: n for n, r in enumerate(batch.rows)}, verdicts, session=session)
    session.add(
        FraudModel(
            campaign_id=ident(campaign),
            model_version=MODEL_VERSION,
            n_responses=len(batch.rows),
            blob=pickle.dumps({"detector": detector, "reweight": reweight}),
        )
    )
    session.flush()
    return len(batch.rows)


def _learn_from_labels(
    session: Session, campaign: Campaign, batch: Batch, detector: ResponseAnomalyDetector, verdicts: Verdicts
) -> LabelledReweighting | None:
    """With enough callback labels, a re-weighting of the signal families (used only where it helps)."""
    from survey_app.services.callbacks import labels

    position = {rid: n for n, rid in enumerate(verdicts.ids)}
    known = [(position[rid], label) for rid, label, _source in labels(session, campaign) if rid in position]
    if len(known) < 30:
        return None
    idx = np.array([i for i, _ in known])
    y = np.array([label for _, label in known])
    X, *_rest = design_matrix(verdicts.features)  # noqa: N806
    model = LabelledReweighting().fit(signals(detector, X)[idx], verdicts.score[idx], y)
    audit.append(
        session,
        actor="fraud-model",
        action="fraud.labels",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        detail={
            "labels": len(known),
            "fakes": int(y.sum()),
            "used": bool(model.used_),
            "cv_auc": round(model.cv_auc_, 4) if model.cv_auc_ == model.cv_auc_ else None,
            "base_auc": round(model.base_auc_, 4) if model.base_auc_ == model.base_auc_ else None,
        },
    )
    return model if model.used_ else None


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


def score_pending(*, session: Session, campaign: Campaign) -> int:
    """Score every online response of the campaign that has no score yet, in one pass, with the campaign's
    current model (fitted when there is none or the campaign has doubled since); return how many.

    The flag follows the same rule as a full rescore: the top `callback_rate` share of the campaign's scores.
    """
    model = latest_model(session=session, campaign=campaign)
    batch = load_batch(session=session, campaign=campaign)
    pending = [n for n, r in enumerate(batch.rows) if r.fraud_score is None]
    if not pending:
        return 0
    if model is None or len(batch.rows) >= REFIT_GROWTH * max(model.n_responses, 10):
        return rescore_campaign(session=session, campaign=campaign)
    stored = pickle.loads(model.blob)  # our own pickle, written by rescore_campaign
    detector = stored["detector"] if isinstance(stored, dict) else stored
    verdicts = score_responses(batch.responses, batch.items, budget=campaign.callback_rate, detector=detector)
    _apply(
        stored.get("reweight") if isinstance(stored, dict) else None,
        detector,
        verdicts,
        campaign.callback_rate,
    )
    position = {rid: i for i, rid in enumerate(verdicts.ids)}
    for n in pending:
        target = batch.rows[n]
        i = position.get(target.public_id)
        if i is not None:
            _keep_verdict(session, target, verdicts, i, bool(verdicts.flagged[i]))
    return len(pending)


def unscored_campaigns(*, session: Session) -> list[int]:
    """Campaigns with online responses waiting for a score (after a crash, or while the worker was down)."""
    query = select(Submission.campaign_id).where(
        col(Submission.fraud_score).is_(None), Submission.channel == "online"
    )
    return sorted(set(session.exec(query.distinct()).all()))


def score_in_background(engine: Engine, campaign_id: int) -> int:
    """A job: score a campaign's waiting responses in its own unit of work; a failure is logged, never raised
    (the responses stay unscored and the next sweep takes them)."""
    try:
        with unit_of_work(engine) as session:
            campaign = session.get(Campaign, campaign_id)
            return score_pending(session=session, campaign=campaign) if campaign is not None else 0
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
