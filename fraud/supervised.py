"""Labels back to the model: re-weight the detector's signals with callback outcomes, never for the worse.

A campaign's callback outcomes (1 = confirmed fake, 0 = confirmed genuine) come from the callback sample:
mostly the highest-scoring responses plus a random control. With enough of them (>= `min_labels`, both classes
present), a regularised logistic model learns how much each signal family (timing, device, pattern, text...)
predicts a confirmed fake on this campaign. It is used only when it ranks the labelled rows better than the
unsupervised score in stratified cross-validation; otherwise the unsupervised score stands unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from fraud.detector import ResponseAnomalyDetector


def signals(detector: ResponseAnomalyDetector, X: Any) -> np.ndarray:  # noqa: N803 - scikit-learn naming
    """Per response: each family's strongest robust z (log-scaled) and the rule hits, as model inputs."""
    Z = detector._z(np.asarray(X, dtype=float))  # noqa: N806
    families = np.log1p(detector._family_max(Z))
    rules = np.nan_to_num(np.asarray(X, dtype=float)[:, detector.is_rule_]).clip(0, 1)
    return np.column_stack([families, rules.sum(axis=1, keepdims=True)])


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return order / max(1, len(values) - 1)


class LabelledReweighting(BaseEstimator):
    """Blend the unsupervised score with a logistic model of the labelled rows, when it earns its place.

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
    model_ : LogisticRegression or None
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

    def fit(self, S: np.ndarray, base: np.ndarray, y: np.ndarray) -> LabelledReweighting:  # noqa: N803
        """Learn from the labelled rows: signals S, their unsupervised scores `base`, labels y (0/1)."""
        S, base, y = np.asarray(S, dtype=float), np.asarray(base, dtype=float), np.asarray(y, dtype=int)  # noqa: N806
        self.used_, self.model_ = False, None
        self.cv_auc_ = self.base_auc_ = float("nan")
        counts = np.bincount(y, minlength=2)
        if len(y) < self.min_labels or counts.min() < self.min_per_class:
            return self
        self.base_auc_ = float(roc_auc_score(y, base))
        folds = StratifiedKFold(
            n_splits=min(5, int(counts.min())), shuffle=True, random_state=self.random_state
        )
        predicted = np.zeros(len(y))
        for train, test in folds.split(S, y):
            model = self._model().fit(S[train], y[train])
            blended = self._blend(base, model.predict_proba(S)[:, 1])
            predicted[test] = blended[test]
        self.cv_auc_ = float(roc_auc_score(y, predicted))
        if self.cv_auc_ >= self.base_auc_ + self.margin:
            self.model_ = self._model().fit(S, y)
            self.used_ = True
        return self

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000)

    def _blend(self, base: np.ndarray, probability: np.ndarray) -> np.ndarray:
        whole = np.floor(base)  # rule hits lift a response above every response with fewer hits
        return whole + (1 - self.weight) * _ranks(base) + self.weight * _ranks(probability) * 0.999

    def score(self, S: np.ndarray, base: np.ndarray) -> np.ndarray:  # noqa: N803
        """The final score of every response (the unsupervised one when the labels were not used)."""
        base = np.asarray(base, dtype=float)
        if not getattr(self, "used_", False) or self.model_ is None:
            return base
        return self._blend(base, self.model_.predict_proba(np.asarray(S, dtype=float))[:, 1])
