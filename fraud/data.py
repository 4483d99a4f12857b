"""Read response records into column arrays for feature extraction: mappings in the interchange format's
shape (items.json + one record per responses.jsonl line), from a file or handed over in memory.

Malformed records are reported with their number and skipped; they never stop a run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REQUIRED = ("id", "location", "channel", "started_at", "submitted_at", "client_id", "ip_hash", "answers")
CHANNELS = ("online", "offline", "phone", "visit")


@dataclass(frozen=True)
class ItemSpec:
    id: str
    dimension: str
    reverse: bool
    pair: str | None


@dataclass(frozen=True)
class Items:
    instrument: str
    scale_max: int
    items: tuple[ItemSpec, ...]

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]


@dataclass
class Responses:
    """Column arrays, one row per valid response, in file order."""

    ids: list[str]
    location: np.ndarray  # int codes into location_names
    location_names: list[str]
    channel: list[str]
    started: np.ndarray  # epoch seconds (float)
    submitted: np.ndarray
    client: np.ndarray  # int codes
    ip: np.ndarray  # int codes
    user_agent: list[str]
    answers: np.ndarray  # float (n, k), NaN for null or missing
    item_ms: np.ndarray  # float (n, k), NaN when not recorded
    comments: list[str]
    contact_given: np.ndarray
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


class ContractError(ValueError):
    """The items file cannot be used at all."""


def load_items(path: str | Path) -> Items:
    """Read items.json; raise ContractError with a plain reason when it is unusable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"{path}: cannot read items.json: {exc}") from None
    return parse_items(data, source=str(path))


def parse_items(data: Any, *, source: str = "items.json") -> Items:
    """Validate a decoded items.json mapping."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise ContractError(f"{source}: expected an object with a non-empty 'items' list")
    scale_max = data.get("scale_max", 5)
    if not isinstance(scale_max, int) or scale_max < 2:
        raise ContractError(f"{source}: scale_max must be a whole number >= 2")
    specs: list[ItemSpec] = []
    for n, raw in enumerate(data["items"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ContractError(f"{source}: items[{n}] needs an 'id'")
        pair = raw.get("pair")
        specs.append(ItemSpec(raw["id"], str(raw.get("dimension", "")), bool(raw.get("reverse")), pair))
    ids = {s.id for s in specs}
    if len(ids) != len(specs):
        raise ContractError(f"{source}: item ids must be unique")
    specs = [s if s.pair in ids else ItemSpec(s.id, s.dimension, s.reverse, None) for s in specs]
    return Items(str(data.get("instrument", "")), scale_max, tuple(specs))


def _epoch(value: Any) -> float:
    """A time as epoch seconds: an ISO 8601 text (as the interchange format carries it), an aware datetime,
    or a number of seconds."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError("not a timestamp")
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


class _Codes:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        return self.index.setdefault(value, len(self.index))


def read_records(
    records: Iterable[Mapping[str, Any] | str], items: Items, *, source: str = "responses"
) -> Responses:
    """Read response records: mappings with the contract's fields (`answers` an object of item id -> 1..scale
    or null, times ISO 8601 texts, aware datetimes or epoch seconds), or JSON texts of them (one line of a
    responses.jsonl file). A malformed record is listed in `problems` with its number, and skipped."""
    k, scale = len(items.items), items.scale_max
    col = {item_id: j for j, item_id in enumerate(items.ids)}
    rows: list[tuple[Any, ...]] = []
    answer_rows: list[np.ndarray] = []
    ms_rows: list[np.ndarray] = []
    problems: list[str] = []
    loc_codes, client_codes, ip_codes = _Codes(), _Codes(), _Codes()
    seen: set[str] = set()
    for number, found in enumerate(records, start=1):
        try:
            if isinstance(found, str):
                if not found.strip():
                    continue
                found = json.loads(found)
            rec = found
            if not isinstance(rec, Mapping):
                raise ValueError("a line must hold one JSON object")
            missing = [f for f in REQUIRED if f not in rec]
            if missing:
                raise ValueError(f"missing field(s) {', '.join(missing)}")
            rid = str(rec["id"])
            if rid in seen:
                raise ValueError(f"duplicate id {rid!r}")
            if rec["channel"] not in CHANNELS:
                raise ValueError(f"unknown channel {rec['channel']!r}")
            started, submitted = _epoch(rec["started_at"]), _epoch(rec["submitted_at"])
            answers = rec["answers"]
            if not isinstance(answers, Mapping):
                raise ValueError("answers must be an object")
            vec = np.full(k, np.nan)
            for item_id, value in answers.items():
                j = col.get(item_id)
                if j is None or value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale:
                    raise ValueError(f"answer {item_id}={value!r} is not a whole number 1..{scale}")
                vec[j] = value
            ms = np.full(k, np.nan)
            for item_id, value in (rec.get("item_ms") or {}).items():
                j = col.get(item_id)
                number_ok = isinstance(value, int | float) and not isinstance(value, bool)
                if j is not None and number_ok and value >= 0:
                    ms[j] = float(value)
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(f"{source}:{number}: skipped: {exc}")
            continue
        seen.add(rid)
        rows.append(
            (
                rid,
                loc_codes(str(rec["location"])),
                rec["channel"],
                started,
                submitted,
                client_codes(str(rec["client_id"])),
                ip_codes(str(rec["ip_hash"])),
                str(rec.get("user_agent") or ""),
                str(rec.get("comment") or ""),
                bool(rec.get("contact_given")),
            )
        )
        answer_rows.append(vec)
        ms_rows.append(ms)
    n = len(rows)
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(10)]
    return Responses(
        ids=list(cols[0]),
        location=np.asarray(cols[1], dtype=np.int64),
        location_names=list(loc_codes.index),
        channel=list(cols[2]),
        started=np.asarray(cols[3], dtype=float),
        submitted=np.asarray(cols[4], dtype=float),
        client=np.asarray(cols[5], dtype=np.int64),
        ip=np.asarray(cols[6], dtype=np.int64),
        user_agent=list(cols[7]),
        comments=list(cols[8]),
        contact_given=np.asarray(cols[9], dtype=bool),
        answers=np.vstack(answer_rows) if n else np.empty((0, k)),
        item_ms=np.vstack(ms_rows) if n else np.empty((0, k)),
        problems=problems,
    )


def load_responses(path: str | Path, items: Items) -> Responses:
    """Read a responses.jsonl file (UTF-8); undecodable lines are reported like malformed ones."""
    with Path(path).open("r", encoding="utf-8", errors="replace") as fh:
        return read_records(fh, items, source=str(path))
