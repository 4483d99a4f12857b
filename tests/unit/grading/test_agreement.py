"""Inter-rater agreement: weighted kappa against scikit-learn, against its definition, and a textbook case."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from grading.agreement import agreement, weighted_kappa


def test_textbook_unweighted_example() -> None:
    # The classic 2x2 example (Cohen 1960 style, as in most textbooks): 50 cases, both "yes" 20, both "no" 15,
    # A yes / B no 5, A no / B yes 10. Observed 0.70, expected 0.50 -> kappa 0.40.
    a = [5] * 20 + [5] * 5 + [1] * 10 + [1] * 15
    b = [5] * 20 + [1] * 5 + [5] * 10 + [1] * 15
    assert weighted_kappa(a, b, weights="none") == pytest.approx(0.40)
    result = agreement(a, b)
    assert result.n == 50 and result.percent == pytest.approx(70.0)
    assert result.kappa == pytest.approx(0.40), "with two categories linear weights equal the plain kappa"


def test_linear_weights_count_a_near_miss_less() -> None:
    near = agreement([5, 4, 3, 2, 1, 5], [4, 4, 3, 2, 1, 5])
    far = agreement([5, 4, 3, 2, 1, 5], [1, 4, 3, 2, 1, 5])
    assert near.percent == far.percent and near.kappa is not None and far.kappa is not None
    assert near.kappa > far.kappa


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=60))
def test_equals_scikit_learn_and_the_definition(pairs: list[tuple[int, int]]) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    result = agreement(a, b)
    used = [(x, y) for x, y in pairs if 1 <= x <= 5 and 1 <= y <= 5]
    assert result.n == len(used), "unanswered (0) and N/A (6) are left out"
    if result.kappa is None:
        return
    x, y = np.array(used).T
    expected = cohen_kappa_score(x, y, labels=[1, 2, 3, 4, 5], weights="linear")
    assert result.kappa == pytest.approx(expected)
    assert weighted_kappa(a, b) == pytest.approx(expected)


def test_no_pairs_or_one_value_gives_no_kappa() -> None:
    assert agreement([0, 6], [3, 3]).kappa is None and agreement([0, 6], [3, 3]).percent is None
    same = agreement([4, 4, 4], [4, 4, 4])
    assert same.kappa is None and same.percent == 100.0
    assert not math.isnan(agreement([4, 5, 4], [4, 4, 5]).kappa or 0.0)
