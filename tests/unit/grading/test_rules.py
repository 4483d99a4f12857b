"""Scheme rules beyond the totals: mandatory items per tier, N/A policies, survey against auditors."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from grading.engine import grade, score_component
from grading.loader import parse_scheme
from grading.results import GradeResult
from grading.schema import Scheme
from tests.unit.grading.builders import batch, instrument

SCHEME: dict[str, Any] = {
    "id": "t",
    "version": 1,
    "name": "测试",
    "components": [
        {
            "id": "perception",
            "label": "感知",
            "max": 100,
            "pass": 60,
            "source": "survey",
            "instrument": "survey",
            "dimensions": [{"id": "clean", "weight": 1}, {"id": "safe", "weight": 1}],
        },
        {
            "id": "inspection",
            "label": "检查",
            "max": 100,
            "pass": 60,
            "source": "sheet",
            "instrument": "sheet",
            "dimensions": [{"id": "clean", "weight": 1}, {"id": "safe", "weight": 1}],
        },
    ],
    "tiers": [
        {"id": "gold", "label": "金", "min_total": 150, "mandatory": ["fire_exit"]},
        {"id": "silver", "label": "银", "min_total": 120},
    ],
}
SURVEY = instrument("survey", {"clean": [{"id": "c1"}], "safe": [{"id": "s1"}]})
SHEET = instrument(
    "sheet", {"clean": [{"id": "c2"}], "safe": [{"id": "fire_exit", "type": "yesno"}, {"id": "s2"}]}
)


def rules(**changes: Any) -> Scheme:
    data = copy.deepcopy(SCHEME)
    data.update(changes)
    scheme, problems = parse_scheme(data)
    assert scheme is not None, problems
    return scheme


def run(scheme: Scheme, sheet_row: dict[str, Any]) -> GradeResult:
    residents = batch(SURVEY, [{"c1": 5, "s1": 4}] * 10)
    return grade(scheme, {"survey": [residents], "sheet": [batch(SHEET, [sheet_row])]})


def test_a_missed_mandatory_item_drops_the_tier() -> None:
    met = run(rules(), {"c2": 5, "fire_exit": "yes", "s2": 5})
    assert met.tier == "gold" and "mandatory items met" in met.rule
    missed = run(rules(), {"c2": 5, "fire_exit": "no", "s2": 5})
    assert missed.total is not None and missed.total >= Decimal(120) and missed.tier == "silver"


def test_survey_against_auditors_per_dimension() -> None:
    result = run(rules(), {"c2": 3, "fire_exit": "yes", "s2": 5})
    gaps = {row["dimension"]: row for row in result.comparison}
    assert gaps["clean"]["survey"] == Decimal("100.00") and gaps["clean"]["auditors"] == Decimal("50.00")
    assert gaps["clean"]["gap"] == Decimal("50.00")


def test_na_counts_as_zero_for_one_item() -> None:
    scheme = rules(item_na={"c1": "zero"})
    rows = [{"c1": None, "s1": 5}]
    result = score_component(scheme, scheme.components[0], [batch(SURVEY, rows)])
    assert result.score == Decimal("50.00"), "clean = 0 (N/A counted as zero), safe = 100"
    dropped = score_component(rules(), rules().components[0], [batch(SURVEY, rows)])
    assert dropped.score == Decimal("100.00"), "by default the N/A dimension drops out"


def test_na_forbidden_excludes_the_response_and_says_why() -> None:
    scheme = rules(item_na={"c1": "forbidden"})
    rows: list[dict[str, Any]] = [{"c1": None, "s1": 5}, {"c1": 5, "s1": 5}]
    result = score_component(scheme, scheme.components[0], [batch(SURVEY, rows)])
    assert result.n == 1 and result.excluded == {"N/A where the scheme forbids it": 1}


def test_each_dimension_has_its_95_percent_interval() -> None:
    """clean answered 5 and 3 alternately (coefficients 1 and 0.5): mean 75, sd 25.6, n 20, so the interval
    is 75 ± 1.96 * 25.65 / sqrt(20) = 63.76 .. 86.24; safe answered 4 throughout has no spread."""
    scheme = rules()
    rows = [{"c1": 5 if k % 2 else 3, "s1": 4} for k in range(20)]
    result = score_component(scheme, scheme.components[0], [batch(SURVEY, rows)])
    clean, safe = result.dimensions
    assert clean.score == Decimal("75.00")
    assert (clean.ci_low, clean.ci_high) == (Decimal("63.76"), Decimal("86.24"))
    assert safe.ci_low == safe.score == safe.ci_high == Decimal("75.00")
    one = score_component(scheme, scheme.components[0], [batch(SURVEY, rows[:1])])
    assert one.dimensions[0].ci_low is None, "one response: no interval"
