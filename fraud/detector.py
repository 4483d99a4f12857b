"""The anomaly detector: rules + a robust-z model + IsolationForest, rank-combined (scikit-learn style)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.ensemble import IsolationForest
from sklearn.utils.validation import check_is_fitted, validate_data

from fraud.features.base import BOTH, HIGH, LOW, NONE, Feature

RULE_FAMILY = "rule"
_erfc = np.vectorize(math.erfc, otypes=[float])


def _half_normal_tail(z: np.ndarray) -> np.ndarray:
    """P(|N(0,1)| >= z) for z >= 0."""
    return _erfc(np.asarray(z, dtype=float) / math.sqrt(2.0))


class ResponseAnomalyDetector(OutlierMixin, BaseEstimator):
    """Unsupervised detector of suspicious survey responses.

    Parameters
    ----------
    features : sequence of Feature or None
        Metadata for each column of X (direction, unit floor, family). Columns whose family is ``"rule"``
        are 0/1 rule hits: every hit lifts a response above all responses with fewer hits. With None,
        every column is two-sided, its own family, and there are no rules.
    n_estimators : int
        Trees of the IsolationForest.
    contamination : float
        Share of responses `predict` marks as outliers (-1); it sets ``offset_``.
    random_state : int, RandomState instance or None
        Makes the IsolationForest (and so every score) reproducible.
    forest_families : tuple of str
        Feature families the IsolationForest sees (with `features`); the robust model sees all.

    Attributes
    ----------
    center_, scale_ : ndarray
        Robust location (median) and scale (max of 1.4826 MAD, IQR/1.349 and the feature's floor).
    forest_ : IsolationForest
    offset_ : float
        ``decision_function = score_samples - offset_``.
    """

    def __init__(
        self,
        features: Sequence[Feature] | None = None,
        n_estimators: int = 200,
        contamination: float = 0.1,
        random_state: int | np.random.RandomState | None = None,
        forest_families: tuple[str, ...] = ("pattern", "consistency", "coherence", "timing"),
    ) -> None:
        self.features = features
        self.forest_families = forest_families
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _meta(self, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.features is None:
            return (
                np.full(n_features, BOTH),
                np.zeros(n_features),
                np.arange(n_features),
                np.zeros(n_features, dtype=bool),
            )
        if len(self.features) != n_features:
            raise ValueError(f"features describes {len(self.features)} columns but X has {n_features}")
        families = sorted({f.family for f in self.features})
        return (
            np.array([f.direction for f in self.features]),
            np.array([f.floor for f in self.features], dtype=float),
            np.array([families.index(f.family) for f in self.features]),
            np.array([f.family == RULE_FAMILY for f in self.features]),
        )

    def fit(self, X: Any, y: object = None) -> ResponseAnomalyDetector:  # noqa: N803 - scikit-learn naming
        """Learn robust scales, the forest, and the score distributions used for rank averaging."""
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=True)
        direction, floor, family, is_rule = self._meta(X.shape[1])
        self.direction_, self.family_, self.is_rule_ = direction, family, is_rule
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column (no comments) is neutral
            center = np.nanmedian(X, axis=0)
            mad = np.nanmedian(np.abs(X - center), axis=0) * 1.4826
            q75, q25 = np.nanpercentile(X, 75, axis=0), np.nanpercentile(X, 25, axis=0)
        self.center_ = np.nan_to_num(center)
        spread = np.fmax(np.nan_to_num(mad), np.nan_to_num((q75 - q25) / 1.349))
        self.scale_ = np.fmax(spread, np.where(floor > 0, floor, 1e-6))
        Z = self._z(X)
        self.forest_cols_ = self._forest_columns()
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state, contamination="auto"
        ).fit(Z[:, self.forest_cols_])
        self.families_ = np.unique(self.family_[self.used_])
        self.family_ref_ = [np.sort(col) for col in self._family_max(Z).T]
        self.robust_ref_ = np.sort(self._robust(Z))
        self.forest_ref_ = np.sort(-self.forest_.score_samples(Z[:, self.forest_cols_]))
        # just above the quantile, so responses tied at the boundary (a burst's copies) are all outliers
        self.offset_ = float(np.nextafter(np.quantile(self.score_samples(X), self.contamination), np.inf))
        return self

    def _forest_columns(self) -> np.ndarray:
        """The forest sees the continuous families only: it isolates any non-zero value of a zero-inflated
        count (a device that answered twice) in one split, which the robust model weighs properly."""
        if self.features is None:
            return self.used_
        cols = self.used_ & np.array([f.family in self.forest_families for f in self.features])
        return cols if cols.any() else self.used_

    @property
    def used_(self) -> np.ndarray:
        return (self.direction_ != NONE) & ~self.is_rule_

    def _z(self, X: np.ndarray) -> np.ndarray:
        """Signed distance from the centre in robust units, oriented so that large means suspicious."""
        raw = (X - self.center_) / self.scale_
        z = np.where(self.direction_ == HIGH, raw, np.where(self.direction_ == LOW, -raw, np.abs(raw)))
        z = np.where(self.direction_ == NONE, 0.0, z)
        return np.clip(np.nan_to_num(z, nan=0.0), 0.0, 50.0)

    def _family_max(self, Z: np.ndarray) -> np.ndarray:
        """Each family's strongest signal (correlated features of one family are not counted twice)."""
        used = self.used_
        return np.column_stack([Z[:, used & (self.family_ == fam)].max(axis=1) for fam in self.families_])

    def _robust(self, Z: np.ndarray) -> np.ndarray:
        """Fisher's combination of each family's upper-tail probability among the fitted responses.

        Each family's p is the larger of (a) the share of fitted responses at least as extreme and (b) the
        half-normal tail of its robust z: a signal must be both rare and far to count. So a family where
        most responses tie at zero adds nothing to an ordinary response, and a rare but mild value (a
        device that answered twice) adds little.
        """
        F = self._family_max(Z)
        total = np.zeros(len(Z))
        for f, ref in enumerate(self.family_ref_):
            at_least = len(ref) - np.searchsorted(ref, F[:, f] - 1e-12, side="left")
            rarity = (at_least + 1.0) / (len(ref) + 1.0)
            total += -2.0 * np.log(np.maximum(rarity, _half_normal_tail(F[:, f])))
        return total

    def z_scores(self, X: Any) -> np.ndarray:  # noqa: N803
        """Per-feature suspicion in robust units (for explanations)."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        return self._z(X)

    def family_signals(self, X: Any) -> np.ndarray:  # noqa: N803
        """Per response: each signal family's strongest robust z, one column per family (`families_`)."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        return self._family_max(self._z(X))

    def rule_hits(self, X: Any) -> np.ndarray:  # noqa: N803
        """Per response: how many rules it hits (the rule columns of X, each 0 or 1)."""
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        if not self.is_rule_.any():
            return np.zeros(len(X))
        return np.asarray(np.nan_to_num(X[:, self.is_rule_]).clip(0, 1).sum(axis=1), dtype=float)

    def anomaly_score(self, X: Any) -> np.ndarray:  # noqa: N803
        """Higher means more suspicious: rule hits, plus the two models' percentile ranks combined.

        The ranks r are combined like p-values (Fisher: -2 log(1 - r) summed, read through the chi-square
        CDF with 4 degrees of freedom, so the result stays in [0, 1)). Unlike a mean, one model's extreme
        (a speeder whose answers look ordinary) is not averaged away; unlike a max, two models that are
        both fairly sure (a bot: rather fast and rather inconsistent) add up.
        """
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        Z = self._z(X)
        robust = np.searchsorted(self.robust_ref_, self._robust(Z), side="right") / len(self.robust_ref_)
        forest = -self.forest_.score_samples(Z[:, self.forest_cols_])
        forest = np.searchsorted(self.forest_ref_, forest, side="right") / len(self.forest_ref_)
        rules = np.nan_to_num(X[:, self.is_rule_]).clip(0, 1).sum(axis=1) if self.is_rule_.any() else 0.0
        eps = 1.0 / (len(self.robust_ref_) + 1.0)
        half_chi2 = -np.log(1.0 - robust + eps) - np.log(1.0 - forest + eps)
        combined = 1.0 - np.exp(-half_chi2) * (1.0 + half_chi2)
        return rules + combined

    def score_samples(self, X: Any) -> np.ndarray:  # noqa: N803
        """Opposite of the anomaly score (scikit-learn convention: lower is more abnormal)."""
        return -self.anomaly_score(X)

    def decision_function(self, X: Any) -> np.ndarray:  # noqa: N803
        """Negative for outliers, positive for inliers."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        """-1 for the `contamination` share judged most suspicious, +1 otherwise."""
        return np.where(self.decision_function(X) < 0, -1, 1)
