"""Hand-made contract rows for fraud tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fraud.data import Items, Responses, parse_items, read_records

ITEMS = parse_items(
    {
        "instrument": "t@1",
        "scale_max": 5,
        "items": [
            {"id": "q1", "dimension": "a", "reverse": False},
            {"id": "q2", "dimension": "a", "reverse": False, "pair": "q6"},
            {"id": "q3", "dimension": "b", "reverse": False},
            {"id": "q4", "dimension": "b", "reverse": False},
            {"id": "q5", "dimension": "c", "reverse": False},
            {"id": "q6", "dimension": "c", "reverse": True, "pair": "q2"},
        ],
    }
)
T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


def row(
    n: int,
    answers: list[int | None] | None = None,
    *,
    minutes: float = 0,
    seconds: float = 60,
    client: str | None = None,
    ip: str | None = None,
    location: str = "L01",
    comment: str = "",
    item_ms: int | None = 5000,
    ua: str = "Mozilla/5.0 (Linux; Android 12) Mobile",
) -> dict[str, Any]:
    """One response; defaults are an ordinary, consistent, unhurried respondent."""
    answers = answers if answers is not None else [4, 4, 5, 4, 4, 2]
    submitted = T0 + timedelta(minutes=minutes)
    ids = [it.id for it in ITEMS.items]
    return {
        "id": f"r{n}",
        "location": location,
        "channel": "online",
        "started_at": (submitted - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "submitted_at": submitted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "client_id": client or f"c{n}",
        "ip_hash": ip or f"ip{n}",
        "user_agent": ua,
        "answers": dict(zip(ids, answers, strict=True)),
        "item_ms": {i: item_ms for i in ids} if item_ms is not None else {},
        "comment": comment,
    }


def ordinary(count: int, start: int = 0, spacing_min: float = 97) -> list[dict[str, Any]]:
    """A background of ordinary respondents spread over days, with some natural variation."""
    patterns = (
        [4, 4, 5, 4, 4, 2],
        [5, 4, 4, 4, 3, 2],
        [3, 4, 3, 4, 4, 3],
        [5, 5, 4, 5, 4, 1],
        [4, 3, 4, 4, 5, 2],
    )
    return [
        row(
            start + i,
            list(patterns[i % len(patterns)]),
            minutes=i * spacing_min,
            seconds=50 + (i * 7) % 40,
            location=f"L0{1 + i % 3}",
        )
        for i in range(count)
    ]


def batch(records: list[dict[str, Any]], items: Items = ITEMS) -> Responses:
    return read_records(records, items)
