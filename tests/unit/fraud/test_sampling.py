"""Callback sampling: size, random share, cluster cap, reproducibility (property-based)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraud.sampling import select_callbacks

cases = st.tuples(
    st.integers(min_value=1, max_value=400),
    st.floats(min_value=0.01, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=2**31 - 1),
)


@settings(max_examples=150, deadline=None)
@given(cases)
def test_sampling_properties(case: tuple[int, float, float, int, int]) -> None:
    n, rate, random_share, cap, seed = case
    rng = np.random.default_rng(seed)
    scores = rng.random(n)
    clusters = rng.integers(0, max(1, n // 4), n).tolist()
    picks = select_callbacks(
        scores, rate=rate, random_share=random_share, seed=seed, clusters=clusters, cluster_cap=cap
    )
    expected = min(n, math.ceil(rate * n - 1e-9))
    assert len(picks) == expected, "at least the rate, never more"
    indices = [p.index for p in picks]
    assert len(set(indices)) == len(indices)
    flagged = [p for p in picks if p.kind == "flagged"]
    random = [p for p in picks if p.kind == "random"]
    assert len(random) >= round(random_share * expected)
    per_cluster: dict[int, int] = {}
    for p in flagged:
        per_cluster[clusters[p.index]] = per_cluster.get(clusters[p.index], 0) + 1
    assert max(per_cluster.values(), default=0) <= cap
    assert all(p.reason.startswith("flagged: ") for p in flagged)
    assert all(p.reason == "random control" for p in random)
    again = select_callbacks(
        scores, rate=rate, random_share=random_share, seed=seed, clusters=clusters, cluster_cap=cap
    )
    assert again == picks, "reproducible with a seed"


def test_flagged_part_takes_the_top_scores_with_their_reasons() -> None:
    scores = np.arange(100, dtype=float)
    reasons = [f"reason {i}" for i in range(100)]
    picks = select_callbacks(scores, rate=0.1, random_share=0.3, seed=1, reasons=reasons)
    flagged = [p.index for p in picks if p.kind == "flagged"]
    assert flagged == [99, 98, 97, 96, 95, 94, 93]
    assert picks[0].reason == "flagged: reason 99"
    assert all(p.index < 93 for p in picks if p.kind == "random")


def test_one_stuffing_phone_cannot_fill_the_list() -> None:
    scores = np.r_[np.full(30, 10.0), np.linspace(0, 1, 70)]
    clusters = ["phone"] * 30 + [f"d{i}" for i in range(70)]
    picks = select_callbacks(scores, rate=0.1, random_share=0.0, seed=0, clusters=clusters, cluster_cap=3)
    assert sum(clusters[p.index] == "phone" for p in picks) == 3 and len(picks) == 10


def test_seed_changes_the_random_control() -> None:
    scores = np.zeros(500)
    a = {p.index for p in select_callbacks(scores, rate=0.1, random_share=1.0, seed=1)}
    b = {p.index for p in select_callbacks(scores, rate=0.1, random_share=1.0, seed=2)}
    assert a != b


@pytest.mark.parametrize(("rate", "share"), [(0, 0.3), (1.5, 0.3), (0.1, -0.1)])
def test_bad_parameters(rate: float, share: float) -> None:
    with pytest.raises(ValueError):
        select_callbacks([1.0, 2.0], rate=rate, random_share=share)
