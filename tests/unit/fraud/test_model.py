"""The one fitted object: scikit-learn's own checks, records in, labels re-weighting, the stored cut."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from fraud.data import Responses
from fraud.model import ResponseScreen
from tests.unit.fraud.rows import ITEMS, batch, ordinary, row


@parametrize_with_checks([ResponseScreen(n_estimators=30, random_state=0)])
def test_sklearn_compatible(estimator: Any, check: Callable[[Any], None]) -> None:
    check(estimator)


def campaign() -> Responses:
    odd = [
        row(900 + i, [1, 5, 1, 5, 1, 5], seconds=8, item_ms=500, minutes=60 * 24 * 3 + 100 * i)
        for i in range(6)
    ]
    return batch([*ordinary(150), *odd])


def test_records_in_flags_the_share_with_reasons_and_the_cut_flags_later_responses_alike() -> None:
    responses = campaign()
    screen = ResponseScreen(ITEMS, contamination=0.05, random_state=0).fit(responses)
    verdicts = screen.verdicts(responses)
    assert verdicts.flagged.sum() >= int(0.05 * len(responses))
    assert all(verdicts.reasons_zh[i] and verdicts.reasons_en[i] for i in np.flatnonzero(verdicts.flagged))
    assert {verdicts.ids[i] for i in np.flatnonzero(verdicts.flagged)} >= {f"r{900 + i}" for i in range(6)}
    again = pickle.loads(pickle.dumps(screen))  # what the web app stores and loads
    assert np.array_equal(again.predict(responses) == -1, verdicts.flagged)
    assert np.allclose(-again.score_samples(responses), verdicts.score)


def test_labels_change_the_ranking_only_where_they_help() -> None:
    responses = campaign()
    n = len(responses)
    plain = ResponseScreen(ITEMS, random_state=0).fit(responses)
    unlabelled = ResponseScreen(ITEMS, random_state=0).fit(responses, np.full(n, -1))
    assert np.array_equal(plain.score_samples(responses), unlabelled.score_samples(responses))
    assert not unlabelled.reweighting_.used_ and unlabelled.labels_detail["labels"] == 0
