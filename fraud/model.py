"""The one fitted object that screens a campaign's responses: features measured against the campaign's
reference, the anomaly detector, the re-weighting learnt from callback labels, and the cut from which a
response is flagged for a priority callback. Fitted once on the whole campaign; a response that arrives later
is scored alone (with the responses it shares a device, network, poster or comment with) and gets the score
and the flag it would get inside the campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from fraud.data import Items, Responses
from fraud.detector import ResponseAnomalyDetector
from fraud.explain import explain, reason_families, reason_picks
from fraud.features import FeatureMatrix, FeatureParams, extract_features
from fraud.features.base import Feature
from fraud.features.extract import reference_of
from fraud.features.reference import Reference
from fraud.features.repeats import DAMPING, RepeatContext, describe, repeat_context
from fraud.rules import RULES, RuleParams
from fraud.scoring import MODEL_VERSION, Verdicts, cut_of, design_matrix, top_share
from fraud.supervised import UNLABELLED, LabelledReweighting, signals

Fixup = Callable[[FeatureMatrix], None]


class ResponseScreen(OutlierMixin, BaseEstimator):
    """Who is called back first: an outlier detector over a campaign's responses (scikit-learn style).

    X is a batch of responses (`fraud.data.Responses`, read from records with `read_records`), or an already
    computed design matrix (n_samples, n_features) — what scikit-learn's check suite hands it. With records,
    the features are measured against the reference learnt at `fit`, so a response scored later alone is
    measured as it would be inside the campaign.

    Parameters
    ----------
    items : Items or None
        The instrument's scored items (required for records).
    contamination : float
        The share of responses flagged for a priority callback (the callback budget, e.g. 0.10).
    feature_params, rule_params : FeatureParams, RuleParams or None
        Thresholds of the features and rules (documented defaults when None).
    n_estimators : int
        Trees of the detector's IsolationForest.
    random_state : int
    min_labels : int
        Callback labels needed before they re-weight the signal families.

    Attributes
    ----------
    reference_ : Reference or None
        What batch-wide features compare a response with (None when fitted on a design matrix).
    detector_ : ResponseAnomalyDetector
    reweighting_ : LabelledReweighting
        Fitted on the labels given to `fit` (``reweighting_.used_`` says whether it changes anything).
    cut_ : float
        The lowest flagged score at fit: later responses are flagged from this score up.
    offset_ : float
        ``decision_function = score_samples - offset_`` (negative: flagged).
    model_version_ : str
    """

    def __init__(
        self,
        items: Items | None = None,
        contamination: float = 0.10,
        feature_params: FeatureParams | None = None,
        rule_params: RuleParams | None = None,
        n_estimators: int = 200,
        random_state: int = 0,
        min_labels: int = 30,
    ) -> None:
        self.items = items
        self.contamination = contamination
        self.feature_params = feature_params
        self.rule_params = rule_params
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.min_labels = min_labels

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # -- fitting -------------------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None) -> ResponseScreen:  # noqa: N803 - scikit-learn naming
        """Learn the reference (from records), the detector, the label re-weighting and the cut.

        y (optional): per response 1 = confirmed fake, 0 = confirmed genuine, anything else unlabelled.
        """
        if not 0 < self.contamination <= 0.5:
            raise ValueError("contamination must be in (0, 0.5]")
        if isinstance(X, Responses):
            self.reference_: Reference | None = reference_of(X, self._items(), self.feature_params)
            design, meta, _fm, hits, _values = self._records(X)
            self.n_features_in_ = design.shape[1]
        else:
            self.reference_ = None
            design = validate_data(self, X, ensure_all_finite="allow-nan", reset=True)
            meta, hits = None, None
        self.detector_ = ResponseAnomalyDetector(
            features=meta,
            n_estimators=self.n_estimators,
            contamination=self.contamination,
            random_state=self.random_state,
        ).fit(design)
        base = self._base(design, X if isinstance(X, Responses) else None, hits)
        labels = np.full(len(base), UNLABELLED) if y is None else np.asarray(y, dtype=float).ravel()
        if len(labels) != len(base):
            raise ValueError(f"y has {len(labels)} labels for {len(base)} responses")
        self.reweighting_ = LabelledReweighting(min_labels=self.min_labels, random_state=self.random_state)
        self.reweighting_.fit(np.column_stack([signals(self.detector_, design), base]), labels)
        score = self._final(design, base)
        self.cut_ = cut_of(score, top_share(score, self.contamination))
        self.offset_ = -float(np.nextafter(self.cut_, -np.inf)) if np.isfinite(self.cut_) else float("-inf")
        self.model_version_ = MODEL_VERSION
        return self

    def _items(self) -> Items:
        if self.items is None:
            raise ValueError("ResponseScreen needs `items` to read response records")
        return self.items

    def _records(
        self, responses: Responses, fixup: Fixup | None = None
    ) -> tuple[np.ndarray, list[Feature], FeatureMatrix, np.ndarray, np.ndarray]:
        """The design matrix of a batch of records (features against the fitted reference, rule hits
        appended), its columns, the feature matrix, the rule hits and the values they were hit at."""
        reference = getattr(self, "reference_", None)
        fm = extract_features(responses, self._items(), self.feature_params, reference)
        if fixup is not None:  # a caller's own counts for a group it did not read row by row
            fixup(fm)
        design, meta, hits, values = design_matrix(fm, self.rule_params)
        return design, meta, fm, hits, values

    @staticmethod
    def _repeats(responses: Responses, n: int) -> RepeatContext | None:
        """Genuine repeat respondents among the rows (none when exact double submissions were merged)."""
        if len(responses.ids) != n or n == 0:
            return None
        return repeat_context(
            np.asarray(responses.client), np.asarray(responses.submitted), responses.answers
        )

    def _base(self, design: np.ndarray, responses: Responses | None, hits: np.ndarray | None) -> np.ndarray:
        """The detector's score, genuine repeat respondents damped (unless a rule was hit)."""
        score = np.asarray(self.detector_.anomaly_score(design), dtype=float)
        context = self._repeats(responses, len(score)) if responses is not None else None
        if context is not None and hits is not None:
            score = np.where(context.benign & ~hits.any(axis=1), score * DAMPING, score)
        return score

    def _final(self, design: np.ndarray, base: np.ndarray) -> np.ndarray:
        if not len(base):
            return base
        return self.reweighting_.score(np.column_stack([signals(self.detector_, design), base]))

    # -- scoring -------------------------------------------------------------------------------------------

    def _scores(self, X: Any) -> np.ndarray:  # noqa: N803
        check_is_fitted(self)
        if isinstance(X, Responses):
            design, _meta, _fm, hits, _values = self._records(X)
            return self._final(design, self._base(design, X, hits))
        design = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        return self._final(design, self._base(design, None, None))

    def score_samples(self, X: Any) -> np.ndarray:  # noqa: N803
        """Opposite of the suspicion score (scikit-learn's convention: lower is more abnormal)."""
        return -self._scores(X)

    def decision_function(self, X: Any) -> np.ndarray:  # noqa: N803
        """Negative for the responses flagged for a priority callback, positive otherwise."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        """-1 for the responses flagged (from the fitted cut up), +1 otherwise."""
        return np.where(self.decision_function(X) < 0, -1, 1)

    def verdicts(
        self, responses: Responses, *, fixup: Fixup | None = None, explain_only: Sequence[str] | None = None
    ) -> Verdicts:
        """Score, flag (from the fitted cut up) and explain a batch of records. `fixup` may set the group
        features the caller counted itself (a big network or a stock phrase, from its own index);
        `explain_only` limits the reasons to those responses (the others were read for their groups)."""
        check_is_fitted(self)
        design, _meta, fm, hits, hit_values = self._records(responses, fixup)
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
        context = self._repeats(responses, n)
        score = self._final(design, self._base(design, responses, hits))
        flagged = score >= self.cut_
        z = self.detector_.z_scores(design)[:, : fm.values.shape[1]]
        picks = reason_picks(fm, z, hits, flagged)
        wanted = set(explain_only or ())
        if explain_only is not None:  # the other rows were read only for what they tell about these
            picks = [p if fm.ids[i] in wanted else [] for i, p in enumerate(picks)]
        zh = explain(fm, z, hits, hit_values, flagged, locale="zh", picks=picks)
        en = explain(fm, z, hits, hit_values, flagged, locale="en", picks=picks)
        if context is not None:
            for i in np.flatnonzero(context.benign):
                if explain_only is None or fm.ids[i] in wanted:
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
            model_version=self.model_version_,
            problems=list(responses.problems),
            families=reason_families(fm, picks),
            cut=self.cut_,
        )

    @property
    def labels_detail(self) -> dict[str, Any]:
        """What the callback labels did, for the audit log."""
        check_is_fitted(self)
        r = self.reweighting_
        return {
            "labels": r.labels_,
            "fakes": r.fakes_,
            "used": bool(r.used_),
            "cv_auc": round(r.cv_auc_, 4) if r.cv_auc_ == r.cv_auc_ else None,
            "base_auc": round(r.base_auc_, 4) if r.base_auc_ == r.base_auc_ else None,
        }
