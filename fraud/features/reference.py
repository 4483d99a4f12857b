"""What the batch-wide features compare a response with, learnt once from the batch a model is fitted on.

A response's duration is measured against its location's usual duration, its answers against the items'
medians and the answers' robust shape, its hour against the campaign's hours, a burst against the location's
usual rate, a device's top-box share against its locations' norm. Learnt once and kept with the fitted model,
these let a new response be scored alone (with only the responses that share its device, network, location
window or comment) and get exactly the features it would get inside its whole campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fraud.data import Items, Responses
from fraud.features.answers import column_reference, recode, robust_shape
from fraud.features.grouping import group_median
from fraud.features.network import window_counts


@dataclass(frozen=True)
class Reference:
    col_median: np.ndarray  # per item, recoded
    col_means: np.ndarray  # per item, after filling missing answers with the median
    shape: tuple[np.ndarray, ...] | None  # robust centre, directions and variances of the answers
    hour_counts: np.ndarray  # responses per local hour (24)
    loc_duration: dict[str, float]  # per location: median log duration
    loc_rate: dict[str, float]  # per location: median responses within ±10 minutes
    loc_topbox: dict[str, float]  # per location: median top-box share
    excess_spread: float  # robust spread of top-box share around the location's median
    overall: tuple[float, float, float]  # the same three medians over all locations (a location not seen)

    def per_location(
        self, table: dict[str, float], names: list[str], codes: np.ndarray, which: int
    ) -> np.ndarray:
        fallback = self.overall[which]
        lookup = np.array([table.get(name, fallback) for name in names] or [fallback], dtype=float)
        return lookup[codes] if len(names) else np.full(len(codes), fallback)


def _by_name(responses: Responses, per_row: np.ndarray) -> dict[str, float]:
    out: dict[str, float] = {}
    for code, name in enumerate(responses.location_names):
        rows = np.flatnonzero(responses.location == code)
        if len(rows) and not np.isnan(per_row[rows[0]]):
            out[name] = float(per_row[rows[0]])
    return out


def _median(values: np.ndarray) -> float:
    ok = values[~np.isnan(values)]
    return float(np.median(ok)) if len(ok) else 0.0


def fit_reference(
    responses: Responses, items: Items, rng: np.random.Generator, *, utc_offset_h: float
) -> Reference:
    """Learn the reference from one batch (the whole campaign, when a model is fitted)."""
    n, k = responses.answers.shape
    col_median, col_means, filled = column_reference(responses.answers, items)
    opinions = 1 + len({it.dimension for it in items.items if it.dimension})
    shape = robust_shape(filled, rng, opinions=opinions) if n > k + 2 else None
    log_d = np.log(np.maximum(responses.submitted - responses.started, 1.0))
    hour = np.floor((responses.submitted / 3600 + utc_offset_h) % 24).astype(int)
    rate = window_counts(responses.location, responses.submitted, 600) if n else np.empty(0)
    rec = recode(responses.answers, items)
    answered = np.maximum((~np.isnan(responses.answers)).sum(axis=1), 1)
    topbox = np.nansum(rec >= items.scale_max, axis=1) / answered
    loc_topbox = group_median(responses.location, topbox) if n else np.empty(0)
    excess = topbox - loc_topbox
    spread = max(1.4826 * float(np.median(np.abs(excess - np.median(excess)))), 0.1) if n else 0.1
    return Reference(
        col_median=col_median,
        col_means=col_means,
        shape=shape,
        hour_counts=np.bincount(hour, minlength=24).astype(float),
        loc_duration=_by_name(responses, group_median(responses.location, log_d) if n else log_d),
        loc_rate=_by_name(responses, group_median(responses.location, rate) if n else rate),
        loc_topbox=_by_name(responses, loc_topbox),
        excess_spread=spread,
        overall=(_median(log_d), _median(rate), _median(topbox)),
    )
