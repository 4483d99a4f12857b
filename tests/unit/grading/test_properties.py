"""Properties of the engine (hypothesis): bounds, monotonicity, N/A renormalisation, determinism."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from grading.engine import grade, score_component
from grading.loader import load_bundled_schemes
from tests.unit.grading.builders import batch, instrument

SCHEME = load_bundled_schemes()[
    "bank-age-friendly"
]  # a survey-only scheme (minimums 3 per location, 30 overall)
COMPONENT = SCHEME.components[0]
DIMS = [d.id for d in COMPONENT.dimensions]
INST = instrument(
    "bank-age-friendly-survey",
    {dim: [{"id": f"{dim}_{j}", "reverse": j == 2, "weight": 1 + j} for j in range(3)] for dim in DIMS},
)
ITEM_IDS = [f"{dim}_{j}" for dim in DIMS for j in range(3)]
answer = st.one_of(st.integers(1, 5), st.none())
responses = st.lists(st.fixed_dictionaries({i: answer for i in ITEM_IDS}), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(responses)
def test_scores_stay_within_bounds(rows: list[dict[str, Any]]) -> None:
    result = score_component(SCHEME, COMPONENT, [batch(INST, rows)])
    if result.score is not None:
        assert Decimal(0) <= result.score <= COMPONENT.max
        assert result.ci_low is None or (
            result.ci_high is not None and result.ci_low <= result.score <= result.ci_high
        )
    for dim in result.dimensions:
        assert dim.score is None or Decimal(0) <= dim.score <= Decimal(100)


@settings(max_examples=60, deadline=None)
@given(responses, st.integers(0, len(ITEM_IDS) - 1), st.data())
def test_raising_one_answer_never_lowers_its_dimension(
    rows: list[dict[str, Any]], which: int, data: st.DataObject
) -> None:
    item = ITEM_IDS[which]
    r = data.draw(st.integers(0, len(rows) - 1))
    current = rows[r][item]
    if current is None or current == 5:
        return
    reverse = item.endswith("_2")
    better = dict(rows[r])
    better[item] = current - 1 if reverse else current + 1  # a more satisfied answer
    if not 1 <= better[item] <= 5:
        return
    before = score_component(SCHEME, COMPONENT, [batch(INST, rows)])
    after = score_component(SCHEME, COMPONENT, [batch(INST, [*rows[:r], better, *rows[r + 1 :]])])
    dim = item.rsplit("_", 1)[0]
    old = next(d.score for d in before.dimensions if d.id == dim)
    new = next(d.score for d in after.dimensions if d.id == dim)
    assert new is not None and old is not None and new >= old


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.lists(st.booleans(), min_size=len(ITEM_IDS), max_size=len(ITEM_IDS)))
def test_na_renormalisation_keeps_weights_summing_to_one(value: int, na_mask: list[bool]) -> None:
    # every answered item earns the same share: whatever is N/A, every score must equal that share
    row = {
        i: (None if na else (6 - value if i.endswith("_2") else value))
        for i, na in zip(ITEM_IDS, na_mask, strict=True)
    }
    result = score_component(SCHEME, COMPONENT, [batch(INST, [row])])
    share = Decimal(str([0, 0.25, 0.5, 0.75, 1.0][value - 1]))
    if all(na_mask):
        assert result.score is None
        return
    assert result.score == (COMPONENT.max * share).quantize(Decimal("0.01"))
    for dim in result.dimensions:
        assert dim.score is None or dim.score == (100 * share).quantize(Decimal("0.01"))


@settings(max_examples=25, deadline=None)
@given(responses)
def test_grading_is_deterministic(rows: list[dict[str, Any]]) -> None:
    first = grade(SCHEME, {"bank-age-friendly-survey": [batch(INST, rows)]}).to_dict()
    second = grade(SCHEME, {"bank-age-friendly-survey": [batch(INST, rows)]}).to_dict()
    assert first == second


def test_below_minimum_sample_gives_no_tier() -> None:
    rows = [{i: 5 for i in ITEM_IDS}] * 10
    result = grade(SCHEME, {"bank-age-friendly-survey": [batch(INST, rows)]}, locations={"B01": 10})
    assert result.status == "insufficient_sample" and result.tier is None
    assert "10 counted responses, the scheme needs at least 30" in result.rule
    result = grade(
        SCHEME, {"bank-age-friendly-survey": [batch(INST, rows * 3)]}, locations={"B01": 30, "B02": 1}
    )
    assert result.status == "insufficient_sample" and "1 location(s) below 3 responses: B02" in result.rule


def test_an_older_instrument_version_is_scored_with_its_own_items() -> None:
    v2 = instrument("bank-age-friendly-survey", {dim: [{"id": f"{dim}_new"}] for dim in DIMS}, version=2)
    old = batch(INST, [{i: 5 for i in ITEM_IDS}] * 20)  # reverse items answered 5 = unhappy on those
    new = batch(v2, [{f"{dim}_new": 5 for dim in DIMS}] * 20)
    result = score_component(SCHEME, COMPONENT, [old, new])
    assert result.n == 40 and result.instrument_versions == [
        "bank-age-friendly-survey@1",
        "bank-age-friendly-survey@2",
    ]
    only_new = score_component(SCHEME, COMPONENT, [new])
    assert only_new.score == Decimal("100.00") and result.score is not None and result.score < only_new.score
