"""Assemble every feature of a batch into one matrix, in a fixed column order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fraud.data import Items, Responses
from fraud.duplicates import double_submissions, subset
from fraud.features import answers, groups, network, text, timing
from fraud.features.base import Feature, FeatureMatrix
from fraud.features.reference import Reference, fit_reference

ALL_FEATURES: list[Feature] = [
    *answers.FEATURES,
    *timing.FEATURES,
    *network.FEATURES,
    *text.FEATURES,
    *groups.FEATURES,
]


@dataclass(frozen=True)
class FeatureParams:
    """Thresholds that shape the features (documented defaults)."""

    min_item_ms: float = 1000.0
    utc_offset_h: float = 8.0
    min_comment_len: int = 5
    random_state: int = 0


def extract_features(
    responses: Responses,
    items: Items,
    params: FeatureParams | None = None,
    reference: Reference | None = None,
) -> FeatureMatrix:
    """Compute every feature for every response of one campaign.

    Batch-wide comparisons (a location's usual duration, the items' medians, the campaign's hours...) come
    from `reference`, learnt from the batch itself when none is given; group features (same device, network,
    location window, comment) from the rows of the batch. Exact double submissions are merged first: a copy
    gets the features of the response it repeats.
    """
    params = params or FeatureParams()
    original = double_submissions(responses)
    if (original >= 0).any():
        kept = original < 0
        fm = _extract(subset(responses, kept), items, params, reference)
        position = np.cumsum(kept) - 1
        source = np.where(kept, position, position[np.maximum(original, 0)])
        return FeatureMatrix(
            fm.values[source],
            fm.display[source],
            fm.features,
            list(responses.ids),
            fm.n_items,
            duplicate_of=original,
        )
    return _extract(responses, items, params, reference)


def reference_of(responses: Responses, items: Items, params: FeatureParams | None = None) -> Reference:
    """The reference a batch's features are computed against (as `extract_features` learns it)."""
    params = params or FeatureParams()
    kept = double_submissions(responses) < 0
    batch = responses if kept.all() else subset(responses, kept)
    rng = np.random.default_rng(params.random_state)
    return fit_reference(batch, items, rng, utc_offset_h=params.utc_offset_h)


def _extract(
    responses: Responses, items: Items, params: FeatureParams, ref: Reference | None
) -> FeatureMatrix:
    n = len(responses)
    values: dict[str, np.ndarray] = {}
    display: dict[str, np.ndarray] = {}
    if n == 0:
        empty = np.empty((0, len(ALL_FEATURES)))
        return FeatureMatrix(empty, empty.copy(), list(ALL_FEATURES), [], len(items.items))
    if ref is None:
        rng = np.random.default_rng(params.random_state)
        ref = fit_reference(responses, items, rng, utc_offset_h=params.utc_offset_h)
    names, codes = responses.location_names, responses.location
    ans = answers.answer_features(responses.answers, items, ref.col_median, ref.col_means, ref.shape)
    values.update(ans)
    display.update(ans)
    display["irv"] = ans["irv"]
    for part in (
        timing.timing_features(
            responses.started,
            responses.submitted,
            responses.item_ms,
            ref.per_location(ref.loc_duration, names, codes, 0),
            ref.hour_counts,
            min_item_ms=params.min_item_ms,
            utc_offset_h=params.utc_offset_h,
        ),
        network.network_features(
            responses.client,
            responses.ip,
            responses.location,
            responses.submitted,
            responses.user_agent,
            responses.answers,
            ref.per_location(ref.loc_rate, names, codes, 1),
        ),
        text.text_features(responses.comments, min_len=params.min_comment_len),
        groups.group_features(
            ans["topbox"],
            responses.location,
            responses.client,
            responses.ip,
            usual_topbox=ref.per_location(ref.loc_topbox, names, codes, 2),
            spread=ref.excess_spread,
        ),
    ):
        values.update(part[0])
        display.update(part[1])
    names = [f.name for f in ALL_FEATURES]
    return FeatureMatrix(
        values=np.column_stack([values[name] for name in names]).astype(float),
        display=np.column_stack([display[name] for name in names]).astype(float),
        features=list(ALL_FEATURES),
        ids=list(responses.ids),
        n_items=len(items.items),
    )
