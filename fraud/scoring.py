"""Score one campaign's responses: features, rules, detector, explanations, the priority flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fraud.data import Items, Responses
from fraud.detector import RULE_FAMILY, ResponseAnomalyDetector
from fraud.explain import explain, reason_families, reason_picks
from fraud.features import FeatureMatrix, FeatureParams, extract_features
from fraud.features.base import HIGH, Feature
from fraud.features.reference import Reference
from fraud.features.repeats import DAMPING, RepeatContext, describe, repeat_context
from fraud.rules import RULES, RuleParams, apply_rules

MODEL_VERSION = "mingcha-fraud-2"  # 2: repeat context, periodicity, similarity-aware device counts


@dataclass
class Verdicts:
    """Per response: score (higher is more suspicious), priority flag, reasons in zh and en."""

    ids: list[str]
    score: np.ndarray
    flagged: np.ndarray
    reasons_zh: list[list[str]]
    reasons_en: list[list[str]]
    rule_hits: np.ndarray
    features: FeatureMatrix
    model_version: str = MODEL_VERSION
    problems: list[str] = field(default_factory=list)
    families: list[list[str]] = field(default_factory=list)
    cut: float = float("inf")  # the lowest flagged score: a later response is flagged from this score up


def cut_of(score: np.ndarray, flagged: np.ndarray) -> float:
    """The flagging rule as a threshold: the lowest score among the flagged (none flagged: infinity)."""
    return float(score[flagged].min()) if flagged.any() else float("inf")


def rule_features() -> list[Feature]:
    return [
        Feature(r.name, RULE_FAMILY, HIGH, 1.0, r.reason_zh, r.reason_en, r.reason_zh, r.reason_en)
        for r in RULES
    ]


def design_matrix(
    fm: FeatureMatrix, rule_params: RuleParams | None = None
) -> tuple[np.ndarray, list[Feature], np.ndarray, np.ndarray]:
    """Feature values with the rule hits appended as columns, plus the column metadata."""
    hits, hit_values = apply_rules(fm, rule_params)
    return np.hstack([fm.values, hits]), [*fm.features, *rule_features()], hits, hit_values


def _repeats(responses: Responses, fm: FeatureMatrix) -> RepeatContext | None:
    """The repeat context of each scored row (rows merged as exact double submissions keep theirs)."""
    if len(responses.ids) != len(fm.ids):
        return None
    return repeat_context(np.asarray(responses.client), np.asarray(responses.submitted), responses.answers)


def top_share(score: np.ndarray, budget: float) -> np.ndarray:
    """Mark the `budget` share with the highest scores (ties broken by order, never more than the budget)."""
    n = len(score)
    k = int(np.floor(budget * n + 1e-9))
    flagged = np.zeros(n, dtype=bool)
    if k > 0:
        flagged[np.argsort(-score, kind="stable")[:k]] = True
    return flagged


def score_responses(
    responses: Responses,
    items: Items,
    *,
    budget: float = 0.10,
    feature_params: FeatureParams | None = None,
    rule_params: RuleParams | None = None,
    random_state: int = 0,
    detector: ResponseAnomalyDetector | None = None,
    reference: Reference | None = None,
    cut: float | None = None,
    fixup: Callable[[FeatureMatrix], None] | None = None,
    explain_only: set[str] | None = None,
) -> Verdicts:
    """Fit the detector on this batch (unless one is given) and explain every score.

    The flags mark the top `budget` share of this batch, or, given `cut` (a fitted model's threshold), every
    score from it up: the same rule, applied to a response scored on its own later. With `reference` the
    batch-wide comparisons are the fitted campaign's, not this batch's; `fixup` may set group features the
    caller counted itself; `explain_only` limits the reasons to those responses."""
    fm = extract_features(responses, items, feature_params, reference)
    if fixup is not None:  # a caller's own counts for a group it did not read row by row
        fixup(fm)
    n = len(fm.ids)
    if n == 0:
        empty = np.empty(0)
        return Verdicts(
            [],
            empty,
            empty.astype(bool),
            [],
            [],
            np.empty((0, len(RULES))),
            fm,
            problems=list(responses.problems),
        )
    X, meta, hits, hit_values = design_matrix(fm, rule_params)
    if detector is None:
        detector = ResponseAnomalyDetector(features=meta, random_state=random_state).fit(X)
    score = detector.anomaly_score(X)
    context = _repeats(responses, fm)
    if context is not None:  # genuine repeat respondents: less suspicious, unless a rule was hit
        score = np.where(context.benign & ~hits.any(axis=1), score * DAMPING, score)
    z = detector.z_scores(X)[:, : fm.values.shape[1]]
    flagged = top_share(score, budget) if cut is None else score >= cut
    picks = reason_picks(fm, z, hits, flagged)
    if explain_only is not None:  # the other rows were read only for what they tell about these
        picks = [p if fm.ids[i] in explain_only else [] for i, p in enumerate(picks)]
    zh = explain(fm, z, hits, hit_values, flagged, locale="zh", picks=picks)
    en = explain(fm, z, hits, hit_values, flagged, locale="en", picks=picks)
    if context is not None:
        for i in np.flatnonzero(context.benign):
            zh[i].append(describe(context, int(i), "zh"))
            en[i].append(describe(context, int(i), "en"))
    return Verdicts(
        list(fm.ids),
        score,
        flagged,
        zh,
        en,
        hits,
        fm,
        problems=list(responses.problems),
        families=reason_families(fm, picks),
        cut=cut_of(score, flagged) if cut is None else cut,
    )
