"""What scoring produces and shares: the verdicts (scores, flags, reasons in zh and en), the design matrix
(features with the rule hits appended) and the flagging rule as a threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fraud.detector import RULE_FAMILY
from fraud.features.base import HIGH, Feature, FeatureMatrix
from fraud.rules import RULES, RuleParams, apply_rules

MODEL_VERSION = "mingcha-fraud-4"  # 4: careless responding (random, long cycles), opinion directions kept out
# 3: one fitted object (detector, reference, labels, cut); campaign ranks


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


def top_share(score: np.ndarray, share: float) -> np.ndarray:
    """Mark the `share` with the highest scores (ties broken by order, never more than the share)."""
    n = len(score)
    k = int(np.floor(share * n + 1e-9))
    flagged = np.zeros(n, dtype=bool)
    if k > 0:
        flagged[np.argsort(-score, kind="stable")[:k]] = True
    return flagged
