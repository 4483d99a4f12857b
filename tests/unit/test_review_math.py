"""Wilson intervals and the sample-size recommendation, against known values."""

from __future__ import annotations

import math

import pytest

from survey_app.services.grades.followup import extra_needed
from survey_app.services.review.summary import wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # Wilson (1927); Newcombe (1998) table I
        (5, 10, 0.2366, 0.7634),
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), example (c)
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_against_published_values(k: int, n: int, low: float, high: float) -> None:
    interval = wilson(k, n)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=5e-4) and interval[1] == pytest.approx(high, abs=5e-4)


def test_wilson_with_nobody_reached_is_none() -> None:
    assert wilson(0, 0) is None


def test_extra_sample_for_a_target_margin_worked_example() -> None:
    # sd 25 points, margin +/-5 at 95%: n = ceil((1.96 * 25 / 5)^2) = ceil(96.04) = 97; 40 answered -> 57 more
    assert extra_needed(25.0, 40, margin=5.0) == 57
    assert extra_needed(25.0, 200, margin=5.0) == 0
    assert extra_needed(10.0, 0, margin=5.0) == math.ceil((1.959963984540054 * 2) ** 2)
