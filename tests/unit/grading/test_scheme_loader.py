"""Scheme files: bundled ones load; every problem is reported with its path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from forms import load_bundled
from grading.loader import compatibility_problems, load_bundled_schemes, parse_scheme

BASE: dict[str, Any] = {
    "id": "mini",
    "version": 1,
    "name": {"zh": "小方案"},
    "components": [
        {
            "id": "service",
            "label": "服务",
            "max": 100,
            "pass": 70,
            "instrument": "x",
            "dimensions": [{"id": "a", "weight": 0.5}, {"id": "b", "weight": 0.5}],
        }
    ],
    "tiers": [
        {"id": "gold", "label": "金", "min_total": 90},
        {"id": "silver", "label": "银", "min_total": 80},
    ],
}


def problems(change: Callable[[dict[str, Any]], object]) -> list[str]:
    data = copy.deepcopy(BASE)
    change(data)
    scheme, found = parse_scheme(data, source="mini.yaml")
    assert scheme is None
    return [str(p) for p in found]


def test_base_is_valid_and_default_pass_mark_is_marked() -> None:
    data = copy.deepcopy(BASE)
    del data["components"][0]["pass"]
    scheme, found = parse_scheme(data, source="mini.yaml")
    assert found == [] and scheme is not None
    assert str(scheme.components[0].pass_mark) == "70.00" and scheme.components[0].pass_mark_is_default


def test_bundled_schemes_load_and_match_the_instruments() -> None:
    schemes = load_bundled_schemes()
    assert {"homestay", "property-estate", "elderly-care", "robot-platform", "zero-carbon"} <= set(schemes)
    dims = {i.id: {d.id for d in i.dimensions} for i in load_bundled().values()}
    assert all(compatibility_problems(s, dims) == [] for s in schemes.values())
    assert str(schemes["elderly-care"].total_max) == "100" and str(schemes["zero-carbon"].total_max) == "110"


def test_tier_table_out_of_order() -> None:
    found = problems(lambda d: d["tiers"].reverse())
    assert any("tiers[1] (gold).min_total" in p and "out of order" in p for p in found)


@pytest.mark.parametrize("weight", [0, -0.2, "heavy"])
def test_weight_not_positive(weight: object) -> None:
    found = problems(lambda d: d["components"][0]["dimensions"][0].update(weight=weight))
    assert any("dimensions[0] (a).weight" in p for p in found)


def test_pass_mark_above_maximum_and_unknown_tier_component() -> None:
    def change(d: dict[str, Any]) -> None:
        d["components"][0]["pass"] = 120
        d["tiers"][0]["components_min"] = {"management": 80}

    found = problems(change)
    assert any("pass mark 120 is above the maximum 100" in p for p in found)
    assert any("unknown component 'management'" in p for p in found)


def test_bad_coefficients_and_policy() -> None:
    def change(d: dict[str, Any]) -> None:
        d["coefficients"] = {"odd": [1, 0.5, 0.2, 0.1, 0]}
        d["na_policy"] = "ignore"

    found = problems(change)
    assert any("coefficients.odd" in p and "rise" in p for p in found)
    assert any(p.startswith("mini.yaml: na_policy") for p in found)


def test_weights_that_do_not_match_the_instrument() -> None:
    scheme, _ = parse_scheme(copy.deepcopy(BASE), source="mini.yaml")
    assert scheme is not None
    found = compatibility_problems(scheme, {"x": {"a", "c"}})
    assert "service: weight for 'b', which instrument x does not have" in found
    assert "service: instrument x has dimension 'c' with no weight" in found
