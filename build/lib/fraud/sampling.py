"""The callback sample: the most suspicious first, plus a seeded random control (keeps estimates unbiased)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Callback:
    index: int
    kind: str  # "flagged" or "random"
    reason: str
    score: float


def select_callbacks(
    scores: Sequence[float] | np.ndarray,
    rate: float = 0.10,
    random_share: float = 0.3,
    seed: int = 0,
    *,
    clusters: Sequence[object] | None = None,
    cluster_cap: int = 3,
    reasons: Sequence[str] | None = None,
) -> list[Callback]:
    """Choose ceil(rate * n) responses to phone back.

    The flagged part (1 - random_share of the sample) takes the highest scores, at most `cluster_cap` per
    device cluster so one stuffing phone cannot fill the list. The random part is a seeded uniform sample of
    all remaining responses (no cap), which keeps the verified share an unbiased estimate. When the caps
    leave the flagged part short, the random part makes up the size. Each pick says why it was chosen.
    """
    score = np.asarray(scores, dtype=float)
    n = len(score)
    if not 0 < rate <= 1 or not 0 <= random_share <= 1:
        raise ValueError("rate must be in (0, 1] and random_share in [0, 1]")
    total = min(n, math.ceil(rate * n - 1e-9))
    n_random = int(round(random_share * total))
    wanted_flagged = total - n_random
    groups = list(clusters) if clusters is not None else list(range(n))
    if len(groups) != n:
        raise ValueError("clusters must have one entry per score")
    taken: dict[object, int] = {}
    chosen: list[Callback] = []
    picked = np.zeros(n, dtype=bool)
    for i in np.argsort(-score, kind="stable").tolist():
        if len(chosen) >= wanted_flagged:
            break
        if taken.get(groups[i], 0) >= cluster_cap:
            continue
        taken[groups[i]] = taken.get(groups[i], 0) + 1
        picked[i] = True
        why = reasons[i] if reasons is not None and reasons[i] else "highest anomaly score"
        chosen.append(Callback(i, "flagged", f"flagged: {why}", float(score[i])))
    rest = np.flatnonzero(~picked)
    rng = np.random.default_rng(seed)
    for i in rng.permutation(rest)[: total - len(chosen)].tolist():
        chosen.append(Callback(int(i), "random", "random control", float(score[i])))
    return chosen
