"""The interchange format of shared/contracts/responses-jsonl.md: items.json from an instrument."""

from __future__ import annotations

from typing import Any

from forms.schema import Instrument


def items_json(instrument: Instrument) -> dict[str, Any]:
    """Reduce an instrument to what a scorer needs: scored Likert items in display order."""
    items: list[dict[str, Any]] = []
    for item in instrument.likert_items():
        entry: dict[str, Any] = {"id": item.id, "dimension": item.dimension, "reverse": item.reverse}
        if item.pair:
            entry["pair"] = item.pair
        items.append(entry)
    return {"instrument": instrument.key, "scale_max": 5, "items": items}
