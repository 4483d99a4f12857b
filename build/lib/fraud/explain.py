"""Plain reasons for each score: rule hits first, then the features furthest into their suspicious tail."""

from __future__ import annotations

import numpy as np

from fraud.features.base import FeatureMatrix
from fraud.rules import RULES, answered_items

MIN_Z = 3.0
RULE = "rule"


def reason_picks(
    fm: FeatureMatrix, z: np.ndarray, hits: np.ndarray, force: np.ndarray, *, top: int = 3
) -> list[list[tuple[str, int]]]:
    """Which reasons each response gets: ("rule", rule index) or ("feature", column), strongest first; where
    `force` is set, at least one (its strongest feature)."""
    strongest = np.argsort(-z, axis=1, kind="stable")[:, :top]
    out: list[list[tuple[str, int]]] = []
    for row in range(len(fm.ids)):
        picks = [(RULE, r) for r in range(len(RULES)) if hits[row, r] > 0]
        for j in strongest[row]:
            if len(picks) >= top or (z[row, j] < MIN_Z and (picks or not force[row])):
                break
            picks.append(("feature", int(j)))
        out.append(picks[:top])
    return out


def explain(
    fm: FeatureMatrix,
    z: np.ndarray,
    hits: np.ndarray,
    hit_values: np.ndarray,
    force: np.ndarray,
    *,
    locale: str = "zh",
    top: int = 3,
    picks: list[list[tuple[str, int]]] | None = None,
) -> list[list[str]]:
    """Up to `top` reasons per response, as text in `locale`."""
    answered = answered_items(fm).astype(int)
    chosen = picks if picks is not None else reason_picks(fm, z, hits, force, top=top)
    return [
        [
            RULES[i].reason(float(hit_values[row, i]), int(answered[row]), locale)
            if kind == RULE
            else fm.features[i].reason(float(fm.display[row, i]), locale)
            for kind, i in chosen[row]
        ]
        for row in range(len(fm.ids))
    ]


def reason_families(fm: FeatureMatrix, picks: list[list[tuple[str, int]]]) -> list[list[str]]:
    """The family of each reason (a rule, or the feature's family: timing, device, pattern, text...)."""
    return [[RULE if kind == RULE else fm.features[i].family for kind, i in row] for row in picks]
