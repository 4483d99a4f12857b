"""Agreement between two raters who scored the same items blind (seed L389): percent agreement and Cohen's
weighted kappa (linear weights: a 4 against a 5 is half as bad as a 3 against a 5 on a 5-point scale).

Codes follow grading.codes: 1..5 per item (yes = 5, no = 1); 0 (not answered) and 6 (N/A) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import cohen_kappa_score

LABELS = [1, 2, 3, 4, 5]


@dataclass(frozen=True)
class Agreement:
    n: int  # item pairs both raters scored
    agree: int  # of which identical
    kappa: float | None  # None: no pairs, or both raters used one and the same value throughout

    @property
    def percent(self) -> float | None:
        return 100.0 * self.agree / self.n if self.n else None


def usable(first: Iterable[int], second: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs where both raters gave a score (1..5)."""
    a = np.fromiter(first, dtype=np.int16)
    b = np.fromiter(second, dtype=np.int16)
    keep = (a >= 1) & (a <= 5) & (b >= 1) & (b <= 5)
    return a[keep], b[keep]


def agreement(first: Iterable[int], second: Iterable[int], *, weights: str = "linear") -> Agreement:
    """Percent agreement and weighted kappa over the pairs both raters scored."""
    a, b = usable(first, second)
    if not len(a):
        return Agreement(0, 0, None)
    agree = int((a == b).sum())
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return Agreement(len(a), agree, None)  # kappa is undefined when chance agreement is certain
    kappa = float(cohen_kappa_score(a, b, labels=LABELS, weights=weights))
    return Agreement(len(a), agree, None if math.isnan(kappa) else kappa)


def weighted_kappa(first: Iterable[int], second: Iterable[int], *, weights: str = "linear") -> float:
    """Cohen's weighted kappa computed from its definition, 1 - sum(w*O) / sum(w*E) (a cross-check on
    scikit-learn, and the formula the closing note cites)."""
    a, b = usable(first, second)
    k = len(LABELS)
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[x - 1, y - 1] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    w = np.abs(i - j) if weights == "linear" else (i - j) ** 2 if weights == "quadratic" else (i != j) * 1.0
    return float(1 - (w * observed).sum() / (w * expected).sum())
