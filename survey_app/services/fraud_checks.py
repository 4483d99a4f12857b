"""Score stored online responses with the fraud library, keep the verdicts, draw the callback sample."""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from fraud.data import Items, Responses, parse_items, read_responses
from fraud.detector import ResponseAnomalyDetector
from fraud.features.extract import reference_of
from fraud.features.reference import Reference
from fraud.scoring import MODEL_VERSION, Verdicts, cut_of, design_matrix, score_responses, top_share
from fraud.supervised import LabelledReweighting, signals
from survey_app.db import unit_of_work
from survey_app.models import (
    Campaign,
    FraudModel,
    ResponseStatus,
    Submission,
    ident,
)
from survey_app.services import audit, review
from survey_app.services.export import campaign_contract
from survey_app.services.scoring_context import fix_groups, neighbourhood
from survey_app.services.scoring_scope import contract_lines, own_device, scope

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
    respondent, so each interview stands for itself there (timing and answer patterns still speak). A
    response without a device id has no device group (residents without JavaScript are not one phone)."""
    contract = campaign_contract(session=session, campaign=campaign, channel=channel)
    items = parse_items(contract.items)
    found = [own_device(line) for line in contract.lines]
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
    reference = reference_of(batch.responses, batch.items)
    detector = _fit(batch, seed, reference)  # fitted once: the same detector scores the batch and is stored
    share = budget or campaign.callback_rate
    verdicts = score_responses(
        batch.responses, batch.items, budget=share, detector=detector, reference=reference
    )
    reweight, plan.labels_detail = _learn_from_labels(session, campaign, verdicts, detector)
    _apply(reweight, detector, verdicts, share)
    plan.verdicts += _verdicts(batch.rows, verdicts)
    stored = {
        "detector": detector,
        "reweight": reweight,
        "reference": reference,
        "cut": cut_of(verdicts.score, verdicts.flagged),  # one flagging rule for the later responses
    }
    plan.model_blob = pickle.dumps(stored)
    plan.n_responses = len(batch.rows)
    return plan


def plan_pending(*, session: Session, campaign: Campaign) -> ScoringPlan:
    """Verdicts for the campaign's responses that have no score yet, with its current model (fitted when there
    is none, it is an older release's, or the campaign has doubled since). A waiting response is scored with
    only the responses its features depend on (`scoring_context`), so the cost does not grow with the
    campaign; it is flagged from the model's cut up, the rule the full rescore applied. Read-only."""
    pending = list(
        session.exec(
            select(Submission)
            .where(*scope(campaign), col(Submission.fraud_score).is_(None))
            .order_by(col(Submission.id))
            .limit(PENDING_BATCH)
        )
    )
    if not pending:
        return ScoringPlan(ident(campaign), _waiting_interviews(session, campaign))
    model = latest_model(session=session, campaign=campaign)
    total = session.exec(select(func.count()).select_from(Submission).where(*scope(campaign))).one()
    stored = _stored(model)
    if model is None or stored is None or total >= REFIT_GROWTH * max(model.n_responses, 10):
        return plan_rescore(session=session, campaign=campaign)
    return plan_context(session=session, campaign=campaign, pending=pending, stored=stored)


def plan_context(
    *, session: Session, campaign: Campaign, pending: list[Submission], stored: dict[str, Any]
) -> ScoringPlan:
    """Score `pending` with a stored model and their neighbourhood alone (read-only)."""
    reference = stored["reference"]
    near = neighbourhood(session, campaign, pending, reference)
    items, lines = contract_lines(session, campaign, near.rows)
    responses = read_responses(lines, items, source=f"campaign {campaign.code}")
    ids = {row.public_id: ident(row) for row in near.rows}
    detector, reweight, cut = stored["detector"], stored.get("reweight"), stored["cut"]
    verdicts = score_responses(
        responses,
        items,
        detector=detector,
        reference=reference,
        cut=cut,
        fixup=lambda fm: fix_groups(fm, ids, near, reference),
        explain_only={row.public_id for row in pending},
    )
    _apply(reweight, detector, verdicts, campaign.callback_rate, cut=cut)
    plan = ScoringPlan(ident(campaign), _verdicts(near.rows, verdicts, only={ident(r) for r in pending}))
    plan.verdicts += _waiting_interviews(session, campaign)
    return plan


def _stored(model: FraudModel | None) -> dict[str, Any] | None:
    """The stored model, when it is this release's and carries its reference (else it is refitted);
    unpickled once per process (a stored model never changes)."""
    if model is None or model.model_version != MODEL_VERSION:
        return None
    key = (model.id, model.campaign_id, model.fitted_at, model.n_responses)
    if key not in _unpickled:
        found = pickle.loads(model.blob)  # our own pickle, written by a rescore; the blob is read here only
        while len(_unpickled) >= KEPT_MODELS:
            _unpickled.pop(next(iter(_unpickled)))
        _unpickled[key] = (
            found if isinstance(found, dict) and "reference" in found and "cut" in found else None
        )
    return _unpickled[key]


KEPT_MODELS = 8  # unpickled models kept per process (the campaigns being scored now)
_unpickled: dict[tuple[Any, ...], dict[str, Any] | None] = {}


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
    reweight: LabelledReweighting | None,
    detector: ResponseAnomalyDetector,
    verdicts: Verdicts,
    share: float,
    *,
    cut: float | None = None,
) -> None:
    """Re-rank with the labels when they were learnt from (the flags follow the new ranking: the top share,
    or from a stored model's cut up)."""
    if reweight is None or not len(verdicts.score):
        return
    X, *_rest = design_matrix(verdicts.features)  # noqa: N806
    verdicts.score = reweight.score(signals(detector, X), verdicts.score)
    verdicts.flagged = top_share(verdicts.score, share) if cut is None else verdicts.score >= cut


def _fit(batch: Batch, seed: int, reference: Reference | None = None) -> ResponseAnomalyDetector:
    from fraud.features import extract_features

    X, meta, _h, _v = design_matrix(extract_features(batch.responses, batch.items, reference=reference))
    return ResponseAnomalyDetector(features=meta, random_state=seed).fit(X)


def latest_model(*, session: Session, campaign: Campaign) -> FraudModel | None:
    """The campaign's newest model; its blob (megabytes) is read only when it is used (`_stored`)."""
    return session.exec(
        select(FraudModel)
        .options(defer(FraudModel.blob))  # type: ignore[arg-type]
        .where(FraudModel.campaign_id == campaign.id)
        .order_by(col(FraudModel.id).desc())
    ).first()


PENDING_BATCH = 2000  # waiting responses scored per pass (a backlog drains in passes of this size)


def unscored_campaigns(*, session: Session) -> list[int]:
    """Campaigns with online responses waiting for a score (after a crash, or while the worker was down)."""
    query = select(Submission.campaign_id).where(
        col(Submission.fraud_score).is_(None), Submission.channel == "online"
    )
    return sorted(set(session.exec(query.distinct()).all()))


def score_in_background(engine: Engine, campaign_id: int) -> int:
    """A job: compute the campaign's waiting verdicts in a read-only unit (no lock while the model works),
    then write them in one short transaction; again while a full batch was waiting (a backlog after the
    worker was down drains in one job). A failure is logged, never raised: the next sweep takes them."""
    total = 0
    try:
        while True:
            with unit_of_work(engine, write=False) as session:
                campaign = session.get(Campaign, campaign_id)
                if campaign is None:
                    return total
                plan = plan_pending(session=session, campaign=campaign)
            if not plan.verdicts:
                return total
            with unit_of_work(engine) as session:
                written = apply_plan(session=session, plan=plan, only_unscored=True)
            total += written
            if written < PENDING_BATCH or plan.model_blob is not None:
                return total  # a refit scored every waiting response at once
    except Exception:
        log.exception("scoring the waiting responses of campaign %s failed", campaign_id)
        return total
