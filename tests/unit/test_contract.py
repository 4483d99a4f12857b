"""items.json follows shared/contracts/responses-jsonl.md."""

from __future__ import annotations

from forms import load_bundled
from forms.contract import items_json


def test_items_json_lists_scored_likert_items_in_order() -> None:
    survey = load_bundled()["property-resident-survey"]
    data = items_json(survey)
    assert data["instrument"] == "property-resident-survey@1" and data["scale_max"] == 5
    ids = [entry["id"] for entry in data["items"]]
    assert ids == [f"q{n:02d}" for n in range(1, 22)]
    by_id = {entry["id"]: entry for entry in data["items"]}
    assert by_id["q21"] == {"id": "q21", "dimension": "customer_service", "reverse": True, "pair": "q02"}
    assert by_id["q02"]["pair"] == "q21" and by_id["q02"]["reverse"] is False
    assert "pair" not in by_id["q01"]


def test_yesno_items_are_not_in_the_likert_contract() -> None:
    data = items_json(load_bundled()["elderly-care-survey"])
    assert "q11" not in {entry["id"] for entry in data["items"]}
