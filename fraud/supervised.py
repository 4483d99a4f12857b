"""Labels back to the model: re-weight the detector's signals with callback outcomes, never for the worse.

A campaign's callback outcomes (1 = confirmed fake, 0 = confirmed genuine) come from the callback sample:
mostly the highest-scoring responses plus a random control. With enough of them (>= `min_labels`, both classes
present), a regularised logistic model learns how much each signal family (timing, device, pattern, text...)
predicts a confirmed fake on this campaign. It is used only when it ranks the labelled rows better than the
unsupervised score in stratified cross-validation; otherwise the unsupervised score stands unchanged.

Ranks are taken against the whole fitted campaign (not within whatever batch is scored later), so a response
scored alone gets the score it would get inside the campaign.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from fraud.detector import ResponseAnomalyDetector

UNLABELLED = -1


def signals(detector: ResponseAnomalyDetector, X: Any) -> np.ndarray:  # noqa: N803 - scikit-learn naming
    """Per response: each family's strongest robust z (log-scaled) and the rule hits, as model inputs."""
    return np.column_stack([np.log1p(detector.family_signals(X)), detector.rule_hits(X)])


def _ranks(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each value's percentile rank among the sorted `reference` (0 below all of it, 1 at or above all)."""
    return np.searchsorted(reference, values, side="right") / max(1, len(reference))


class LabelledReweighting(BaseEstimator):
    """Blend the unsupervised score with a logistic model of the labelled rows, when it earns its place.

    `fit(X, y)`: X holds each response's signals (`signals`) with its unsupervised score as the last column,
    for the whole campaign; y is 1 (confirmed fake), 0 (confirmed genuine) or -1 (not called) per response.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation of the logistic model (small: few labels, strong shrinkage).
    min_labels : int
        Fewer labelled rows than this, or a class with fewer than `min_per_class`, and nothing is learnt.
    min_per_class : int
    weight : float
        Share of the final rank taken from the logistic model when it is used.
    margin : float
        Cross-validated AUC the model must gain over the unsupervised score on the labelled rows.
    random_state : int

    Attributes
    ----------
    used_ : bool
        Whether the labels changed the ranking.
    cv_auc_, base_auc_ : float
        Cross-validated AUC of the model, AUC of the unsupervised score, on the labelled rows (NaN: unfit).
    labels_, fakes_ : int
        Labelled rows seen, and how many of them were confirmed fakes.
    model_ : LogisticRegression or None
    base_ref_, probability_ref_ : ndarray
        The campaign's unsupervised scores and model probabilities, sorted (what ranks are taken against).
    """

    def __init__(
        self,
        C: float = 0.3,  # noqa: N803
        min_labels: int = 30,
        min_per_class: int = 5,
        weight: float = 0.5,
        margin: float = 0.02,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.min_labels = min_labels
        self.min_per_class = min_per_class
        self.weight = weight
        self.margin = margin
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> LabelledReweighting:  # noqa: N803
        """Learn from the labelled rows of X (signals, then the unsupervised score); y: 1, 0 or -1."""
        X = np.asarray(X, dtype=float)  # noqa: N806
        S, base = X[:, :-1], X[:, -1]  # noqa: N806
        y = np.asarray(y, dtype=float)
        labelled = (y == 0) | (y == 1)
        yl = y[labelled].astype(int)
        self.used_, self.model_ = False, None
        self.cv_auc_ = self.base_auc_ = float("nan")
        self.labels_, self.fakes_ = int(labelled.sum()), int(yl.sum())
        self.base_ref_ = np.sort(base)
        self.probability_ref_ = np.empty(0)
        counts = np.bincount(yl, minlength=2)
        if len(yl) < self.min_labels or counts.min() < self.min_per_class:
            return self
        Sl, bl = S[labelled], base[labelled]  # noqa: N806
        self.base_auc_ = float(roc_auc_score(yl, bl))
        folds = StratifiedKFold(
            n_splits=min(5, int(counts.min())), shuffle=True, random_state=self.random_state
        )
        predicted = np.zeros(len(yl))
        for train, test in folds.split(Sl, yl):
            model = self._model().fit(Sl[train], yl[train])
            probability = model.predict_proba(Sl[test])[:, 1]
            reference = np.sort(model.predict_proba(S)[:, 1])
            predicted[test] = self._blend(bl[test], probability, reference)
        self.cv_auc_ = float(roc_auc_score(yl, predicted))
        if self.cv_auc_ >= self.base_auc_ + self.margin:
            self.model_ = self._model().fit(Sl, yl)
            self.probability_ref_ = np.sort(self.model_.predict_proba(S)[:, 1])
            self.used_ = True
        return self

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)

    def _blend(self, base: np.ndarray, probability: np.ndarray, reference: np.ndarray) -> np.ndarray:
        whole = np.floor(base)  # rule hits lift a response above every response with fewer hits
        return (
            whole
            + (1 - self.weight) * _ranks(base, self.base_ref_)
            + self.weight * _ranks(probability, reference) * 0.999
        )

    def score(self, X: Any) -> np.ndarray:  # noqa: N803
        """The final score of every response of X (signals, then the unsupervised score): the unsupervised
        one when the labels were not used."""
        X = np.asarray(X, dtype=float)  # noqa: N806
        base = X[:, -1]
        if not getattr(self, "used_", False) or self.model_ is None:
            return base
        return self._blend(base, self.model_.predict_proba(X[:, :-1])[:, 1], self.probability_ref_)
