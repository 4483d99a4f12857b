"""Careless responding the simulator did not make before: random answers at an ordinary pace, and long
cycles and palindromes; the indices that find them, and the honest residents they must not accuse."""

from __future__ import annotations

from collections import Counter

import numpy as np

from fraud.data import Items, ItemSpec
from fraud.features.answers import _dimension_columns, _reverse_gap, even_odd, periodicity, recode, staircase
from fraud.rules import RULES
from fraud.simulate import SimConfig, simulate
from fraud.simulate.genuine import HONEST_STYLES
from fraud.simulate.injected import CARELESS_PATTERNS

DIMS = ("service", "environment", "facilities", "safety", "management")


def items(k: int = 20, reverse: tuple[int, ...] = ()) -> Items:
    return Items("t@1", 5, tuple(ItemSpec(f"q{j:02d}", DIMS[j % 5], j in reverse, None) for j in range(k)))


def test_staircase_finds_ramps_and_palindromes_of_any_period() -> None:
    ramp = [1, 2, 3, 4, 5] * 4
    palindrome = ([1, 2, 3, 4, 5, 4, 3, 2] * 3)[2:22]
    short = ([2, 3, 4, 5, 4, 3] * 4)[:20]
    honest = [4, 5, 5, 4, 4, 5, 3, 4, 5, 5, 4, 4, 5, 5, 4, 3, 4, 4, 5, 5]
    rng = np.random.default_rng(1)
    random_rows = rng.integers(1, 6, (2000, 20)).astype(float)
    score = staircase(np.array([ramp, palindrome, short, honest], dtype=float))
    assert (score[:3] >= 0.6).all() and score[3] < 0.15, "an honest row climbs 3-4-5 now and then"
    assert staircase(random_rows).mean() < 0.08, "random answers climb one step twice only by chance"
    mixed = np.array(palindrome, dtype=float)
    mixed[[3, 11, 17]] = [5, 1, 4]  # a few honest answers in the pattern
    assert staircase(mixed[None, :])[0] >= 0.4


def test_periodicity_now_reaches_period_eight_on_long_scales() -> None:
    rng = np.random.default_rng(2)
    for period in (5, 6, 7, 8):
        cycle = rng.integers(1, 6, period)
        row = np.array([cycle[j % period] for j in range(3, 23)], dtype=float)
        if len(set(cycle.tolist())) > 2:
            assert periodicity(row[None, :])[0] > 0.6, period
    short = np.array([[1, 3, 5, 2, 4, 1, 3, 5, 2, 4]], dtype=float)
    assert periodicity(short)[0] < 0.5, "ten items cannot show a period of five by chance-free evidence"


def test_dimension_indices_tell_random_from_honest_opinions() -> None:
    spec = items(20)
    groups = _dimension_columns(spec)
    rng = np.random.default_rng(3)
    random_rows = rng.integers(1, 6, (500, 20)).astype(float)
    unhappy_with_one = np.array([[1.0 if j % 5 == 3 else 5.0 - (j % 2) for j in range(20)]] * 5)
    flat = np.array([[3.0 if j % 3 else 4.0 for j in range(20)]])
    from fraud.features.answers import synonym_gap

    assert synonym_gap(recode(random_rows, spec), groups).mean() > 1.2
    assert synonym_gap(recode(unhappy_with_one, spec), groups).max() < 0.7
    assert np.nanmean(even_odd(recode(random_rows, spec), groups)) < 0.3
    assert even_odd(recode(unhappy_with_one, spec), groups).min() > 0.9, "one-sided is consistent"
    assert synonym_gap(recode(flat, spec), groups)[0] < 0.7, "a flat opinion is not an inconsistent one"


def test_reverse_items_are_compared_within_their_dimension() -> None:
    spec = items(10, reverse=(8,))  # q08 is a reverse-worded safety item, like q03
    unhappy_with_safety = np.array([[5, 5, 5, 1, 5, 5, 5, 5, 5, 4]], dtype=float)  # q08 answered 5: unsafe
    gap = _reverse_gap(recode(unhappy_with_safety, spec), spec)
    assert gap[0] < 0.5, "saying the same thing about safety twice is not a contradiction"
    contradicts = np.array([[5, 5, 5, 5, 5, 5, 5, 5, 5, 5]], dtype=float)  # q08 says unsafe, q03 says safe
    assert _reverse_gap(recode(contradicts, spec), spec)[0] >= 4


def test_the_simulator_makes_the_new_kinds_and_the_honest_styles() -> None:
    _items, records, labels = simulate(SimConfig(n_genuine=1500, n_items=20, prevalence=0.2, seed=4))
    kinds = Counter(kind for _rid, _label, kind in labels)
    for pattern in ("random_uniform", "random_centre", "cycle_long"):
        assert pattern in CARELESS_PATTERNS and kinds[f"careless_pattern/{pattern}"] > 0
    for style in HONEST_STYLES:
        assert 20 <= kinds[style] <= 110, (style, kinds[style])  # about 4% of single respondents each
    label_of = {kind: label for _rid, label, kind in labels}
    assert label_of["flat_opinion"] == 0 and label_of["negative_dimension"] == 0
    by_id = {r["id"]: r for r in records}
    flat = [by_id[rid] for rid, _label, kind in labels if kind == "flat_opinion"]
    values = {v for r in flat for v in r["answers"].values() if v is not None}
    assert values <= {2, 3, 4}, "3s and 4s (a reverse item answered the same way reads 2 or 3)"


def test_the_staircase_rule_says_what_it_saw_in_both_languages() -> None:
    rule = next(r for r in RULES if r.name == "answer_staircase")
    assert "1-2-3-4-5-4-3-2" in rule.reason(0.7, 20, "zh") and "20 题" in rule.reason(0.7, 20, "zh")
    assert rule.reason(0.7, 20, "en").startswith("answers to 20 items step up and down")
