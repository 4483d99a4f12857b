"""Per-group medians without a loop over groups."""

from __future__ import annotations

import numpy as np

from fraud.features.grouping import group_median


def test_group_median_matches_numpy_per_group() -> None:
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 50, 2000)
    values = rng.normal(size=2000)
    values[rng.random(2000) < 0.1] = np.nan
    got = group_median(groups, values)
    for g in np.unique(groups):
        want = np.nanmedian(values[groups == g])
        assert np.allclose(got[groups == g], want)


def test_all_nan_group_stays_nan() -> None:
    out = group_median(np.array([1, 1, 2]), np.array([np.nan, np.nan, 3.0]))
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 3.0
