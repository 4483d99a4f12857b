"""The engine on hand-computed examples that reproduce the seed's published results."""

from __future__ import annotations

from decimal import Decimal

from grading.engine import grade
from grading.loader import load_bundled_schemes
from tests.unit.grading.builders import batch, instrument

SCHEMES = load_bundled_schemes()


def test_elderly_care_14_8_of_15_and_82_9_of_85_is_five_star() -> None:
    # Management: 15 equally weighted maturity items; 14 answered 5 (coefficient 1.0), one answered 4 (0.8):
    # 15 x (14 x 1.0 + 0.8) / 15 = 14.8.
    audit = instrument(
        "elderly-care-management-audit", {"management": [{"id": f"m{i:02d}"} for i in range(15)]}
    )
    sheet = {f"m{i:02d}": 5 for i in range(15)} | {"m14": 4}
    # Service from 850 residents on one experience item: 829 answer 5 (1.0) and 21 answer 1 (0.0):
    # 85 x 829 / 850 = 82.9.
    survey = instrument("elderly-care-survey", {"daily_care": [{"id": "q"}]})
    rows = [{"q": 5}] * 829 + [{"q": 1}] * 21
    result = grade(
        SCHEMES["elderly-care"],
        {
            "elderly-care-management-audit": [batch(audit, [sheet])],
            "elderly-care-survey": [batch(survey, rows)],
        },
    )
    assert result.component("management").score == Decimal("14.80")
    assert result.component("service").score == Decimal("82.90")
    assert result.total == Decimal("97.70")
    assert (result.status, result.tier) == ("certified", "five_star")
    assert result.rule.startswith("total 97.70 >= 90")


def test_robot_platform_876_35_of_1000_and_90_6_of_100_passes() -> None:
    # Annex C: 21 yes/no items carrying points (19 x 50, 26.35, 23.65 = 1000); met: 17 x 50 + 26.35 = 876.35.
    points = [50] * 19 + [26.35, 23.65]
    audit = instrument(
        "robot-management-audit",
        {"management": [{"id": f"c{i:02d}", "type": "yesno", "weight": w} for i, w in enumerate(points)]},
    )
    met = {f"c{i:02d}": "yes" if i < 17 or i == 19 else "no" for i in range(21)}
    # Annex D: 16 indicators, 15 worth 6.04 and one worth 9.4 (= 100); all met but the last: 90.6.
    service_points = [6.04] * 15 + [9.4]
    evaluation = instrument(
        "robot-service-evaluation",
        {
            "service": [
                {"id": f"d{i:02d}", "type": "yesno", "weight": w} for i, w in enumerate(service_points)
            ]
        },
    )
    seen = {f"d{i:02d}": "yes" if i < 15 else "no" for i in range(16)}
    result = grade(
        SCHEMES["robot-platform"],
        {
            "robot-management-audit": [batch(audit, [met])],
            "robot-service-evaluation": [batch(evaluation, [seen])],
        },
    )
    assert result.component("management").score == Decimal("876.35")
    assert result.component("service").score == Decimal("90.60")
    assert result.component("management").passed and result.component("service").passed
    assert (result.status, result.tier) == ("certified", "certified")


def test_robot_platform_fails_below_a_pass_mark_with_the_reason() -> None:
    evaluation = instrument(
        "robot-service-evaluation", {"service": [{"id": f"d{i}", "type": "yesno"} for i in range(10)]}
    )
    audit = instrument("robot-management-audit", {"management": [{"id": "c", "type": "yesno"}]})
    seen = {f"d{i}": "yes" if i < 8 else "no" for i in range(10)}  # 80 < 90
    result = grade(
        SCHEMES["robot-platform"],
        {
            "robot-management-audit": [batch(audit, [{"c": "yes"}])],
            "robot-service-evaluation": [batch(evaluation, [seen])],
        },
    )
    assert result.status == "not_certified" and "service 80.00 < pass mark 90" in result.rule


def test_homestay_needs_both_components_at_70() -> None:
    service = instrument("homestay-guest-survey", {"reception": [{"id": "q"}]})
    audit = instrument("homestay-management-audit", {"management": [{"id": "m"}]})
    # service: answers 4 -> 0.75 -> 75.00; management: maturity answer 3 -> 0.6 -> 60.00 < 70
    result = grade(
        SCHEMES["homestay"],
        {
            "homestay-guest-survey": [batch(service, [{"q": 4}] * 12)],
            "homestay-management-audit": [batch(audit, [{"m": 3}])],
        },
    )
    assert result.component("service").score == Decimal("75.00")
    assert result.status == "not_certified" and "management 60.00 < pass mark 70" in result.rule


def test_zero_carbon_bonus_is_capped() -> None:
    sheet_inst = instrument(
        "zero-carbon-assessment",
        {
            "infrastructure": [{"id": "a"}],
            "management_system": [{"id": "b"}],
            "energy_resources": [{"id": "c"}],
            "performance": [{"id": "d"}],
            "pathway": [
                {"id": "e"},
                {"id": "green_canteen", "type": "yesno"},
                {"id": "green_datacentre", "type": "yesno"},
                {"id": "efficiency_leader", "type": "yesno"},
                {"id": "demonstration_unit", "type": "yesno"},
            ],
        },
    )
    sheet = {k: 5 for k in "abcde"} | {
        "green_canteen": "yes",
        "green_datacentre": "yes",
        "efficiency_leader": "yes",
        "demonstration_unit": "yes",
    }
    result = grade(SCHEMES["zero-carbon"], {"zero-carbon-assessment": [batch(sheet_inst, [sheet])]})
    assert result.bonus == Decimal("10"), "3 + 3 + 3 + 2 = 11 points, capped at 10"
    assert result.total == Decimal("110.00") and result.tier == "three_star"
