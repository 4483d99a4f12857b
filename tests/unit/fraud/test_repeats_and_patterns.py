"""Genuine repeat respondents and careless patterns: the features that tell them apart, and the simulator."""

from __future__ import annotations

from collections import Counter

import numpy as np

from fraud.bench import metrics
from fraud.features.answers import periodicity
from fraud.features.network import similar_counts
from fraud.features.repeats import describe, repeat_context
from fraud.simulate import SimConfig, simulate
from fraud.simulate.injected import CARELESS_PATTERNS

DAY = 86400.0


def test_periodicity_finds_cycles_not_flat_or_varied_rows() -> None:
    rows = np.array(
        [
            [1, 5, 1, 5, 1, 5, 1, 5, 1, 5],  # alternating extremes
            [1, 2, 3, 1, 2, 3, 1, 2, 3, 1],  # a staircase of three
            [2, 4, 5, 3, 2, 4, 5, 3, 2, 4],  # a cycle of four
            [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],  # flat (the straight-line features catch it)
            [4, 5, 5, 3, 4, 2, 5, 4, 4, 3],  # a genuine row
        ],
        dtype=float,
    )
    score = periodicity(rows)
    assert (score[:3] > 0.8).all() and score[3] <= 0 and score[4] < 0.5
    broken = rows[0].copy()
    broken[[3, 7]] = [4, 3]  # two honest answers break the cycle
    assert periodicity(broken[None, :])[0] > 0.5


def test_device_counts_ignore_a_household_but_not_stuffing() -> None:
    answers = np.array(
        [[5, 5, 4, 5, 5], [2, 3, 3, 1, 2], [5, 5, 5, 5, 5], [5, 5, 5, 5, 4], [5, 4, 5, 5, 5]], float
    )
    client = np.array([1, 1, 2, 2, 2])  # a household of two; one phone stuffing three near-copies
    times = np.array([0.0, 600.0, 0.0, 60.0, 120.0])
    counts = similar_counts(client, times, answers, 600)
    assert counts.tolist() == [1, 1, 3, 3, 3]


def test_repeat_context_and_its_reason() -> None:
    answers = np.array(
        [[5, 5, 4, 5], [2, 3, 3, 1], [4, 4, 4, 4], [4, 4, 4, 4], [3, 4, 4, 5], [3, 4, 4, 4]], float
    )
    client = np.array([1, 1, 2, 2, 3, 3])
    times = np.array([0.0, 1800.0, 0.0, 120.0, 0.0, 9 * DAY])
    ctx = repeat_context(client, times, answers)
    assert ctx.benign.tolist() == [True, True, False, False, True, True], "different answers, or days apart"
    assert "9 天" in describe(ctx, 5, "zh") and "降低了可疑程度" in describe(ctx, 5, "zh")
    assert "30 minutes" in describe(ctx, 1, "en")


def test_simulator_has_every_repeat_form_and_careless_pattern() -> None:
    _items, _records, labels = simulate(SimConfig(n_genuine=2000, prevalence=0.2, seed=3))
    kinds = Counter(kind for _id, _label, kind in labels)
    for form in ("repeat_family", "repeat_drift", "repeat_guest", "repeat_helped"):
        assert kinds[form] > 0, form
    assert all(kinds[f"careless_pattern/{p}"] > 0 for p in CARELESS_PATTERNS)
    repeats = sum(n for k, n in kinds.items() if k.startswith("repeat_"))
    assert 0.09 <= repeats / 2000 <= 0.17


def test_metrics_report_genuine_repeats_and_each_careless_pattern() -> None:
    kinds = np.array(
        ["careless_pattern/zigzag2", "repeat_family", "careless_pattern/neutral", *["genuine"] * 17]
    )
    labels = np.array([1, 0, 1, *[0] * 17])
    score = np.array([1.0, 0.99, 0.1, *np.linspace(0.5, 0.2, 17)])
    m = metrics(score, labels, kinds, 0.1)
    assert m.recall["careless/zigzag2"] == 1.0 and m.recall["careless/neutral"] == 0.0
    assert m.recall["careless_pattern"] == 0.5 and m.repeat_share_of_top == 0.5
