"""Small instruments and batches for grading tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from forms import parse_instrument
from forms.schema import Instrument
from grading.codes import encode, scored_items
from grading.engine import Batch


def instrument(inst_id: str, dims: dict[str, list[dict[str, Any]]], version: int = 1) -> Instrument:
    """An instrument with the given items per dimension (each item: id, type, and optional weight/reverse)."""
    items = [
        {"label": item["id"], "type": "likert5", **item, "dimension": dim}
        for dim, its in dims.items()
        for item in its
    ]
    data = {
        "id": inst_id,
        "version": version,
        "kind": "evaluation",
        "title": inst_id,
        "dimensions": [{"id": d, "label": d} for d in dims],
        "sections": [{"id": "s", "title": "s", "items": items}],
    }
    built, problems = parse_instrument(data, source=inst_id)
    assert built is not None, problems
    return built


def batch(inst: Instrument, rows: list[dict[str, Any]], locations: list[str] | None = None) -> Batch:
    width = len(scored_items(inst))
    codes = np.frombuffer(b"".join(encode(inst, r) for r in rows), dtype=np.uint8).reshape(len(rows), width)
    return Batch(inst, codes, locations or [])
