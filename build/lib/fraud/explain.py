"""Plain reasons for each score: rule hits first, then the features furthest into their suspicious tail."""

from __future__ import annotations

import numpy as np

from fraud.features.base import FeatureMatrix
from fraud.rules import RULES, answered_items

MIN_Z = 3.0


def explain(
    fm: FeatureMatrix,
    z: np.ndarray,
    hits: np.ndarray,
    hit_values: np.ndarray,
    force: np.ndarray,
    *,
    locale: str = "zh",
    top: int = 3,
) -> list[list[str]]:
    """Up to `top` reasons per response; where `force` is set, at least one (its strongest feature)."""
    answered = answered_items(fm).astype(int)
    strongest = np.argsort(-z, axis=1, kind="stable")[:, :top]
    out: list[list[str]] = []
    for row in range(len(fm.ids)):
        reasons = [
            rule.reason(float(hit_values[row, r]), int(answered[row]), locale)
            for r, rule in enumerate(RULES)
            if hits[row, r] > 0
        ]
        for j in strongest[row]:
            if len(reasons) >= top or (z[row, j] < MIN_Z and (reasons or not force[row])):
                break
            reasons.append(fm.features[j].reason(float(fm.display[row, j]), locale))
        out.append(reasons[:top])
    return out
