"""The detector follows scikit-learn's conventions and is deterministic given random_state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from fraud.data import Responses
from fraud.detector import ResponseAnomalyDetector
from fraud.features import extract_features
from fraud.model import ResponseScreen
from fraud.scoring import design_matrix
from tests.unit.fraud.rows import ITEMS, batch, ordinary, row


@parametrize_with_checks([ResponseAnomalyDetector(random_state=0, n_estimators=30)])
def test_sklearn_compatible(estimator: Any, check: Callable[[Any], None]) -> None:
    check(estimator)


def campaign() -> Responses:
    odd = [row(900, [1, 5, 1, 5, 1, 5], seconds=8, item_ms=500, minutes=60 * 24 * 3 + 1)]
    burst = [
        row(910 + i, [5, 5, 5, 5, 5, 1], minutes=5000 + i, client="phone", location="L02") for i in range(8)
    ]
    return batch([*ordinary(120), *odd, *burst])


def test_deterministic_given_random_state() -> None:
    r = campaign()
    first = ResponseScreen(ITEMS, random_state=7).fit(r).verdicts(r)
    second = ResponseScreen(ITEMS, random_state=7).fit(r).verdicts(r)
    assert np.array_equal(first.score, second.score)
    assert first.reasons_zh == second.reasons_zh


def test_suspicious_rows_rank_first_with_reasons() -> None:
    r = campaign()
    verdicts = ResponseScreen(ITEMS, contamination=0.10).fit(r).verdicts(r)
    order = [verdicts.ids[i] for i in np.argsort(-verdicts.score)]
    suspicious = {"r900", *(f"r{910 + i}" for i in range(8))}
    assert set(order[:9]) == suspicious
    assert all(verdicts.reasons_zh[i] for i in np.flatnonzero(verdicts.flagged)), "every flag has a reason"
    speeder = verdicts.ids.index("r900")
    assert any("秒" in reason for reason in verdicts.reasons_zh[speeder])
    assert any("seconds" in r or " s" in r for r in verdicts.reasons_en[speeder])
    assert verdicts.flagged.sum() == int(0.10 * len(verdicts.ids))


def test_predict_marks_the_contamination_share() -> None:
    fm = extract_features(campaign(), ITEMS)
    X, meta, _h, _v = design_matrix(fm)
    det = ResponseAnomalyDetector(features=meta, contamination=0.05, random_state=0).fit(X)
    labels = det.predict(X)
    assert set(np.unique(labels)) == {-1, 1}
    assert 0.05 <= (labels == -1).mean() <= 0.10, "the share, plus any ties at the boundary"
    assert np.all(det.decision_function(X)[labels == -1] < 0)


def test_features_must_match_columns() -> None:
    with pytest.raises(ValueError, match="describes"):
        ResponseAnomalyDetector(features=[]).fit(np.zeros((10, 3)))
