"""Vectorised per-group statistics (no Python loop over groups: a file may have thousands of locations)."""

from __future__ import annotations

import numpy as np


def group_median(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Median of `values` within each row's group, broadcast back to rows; NaN values are ignored."""
    out = np.full(len(values), np.nan)
    ok = ~np.isnan(values)
    if not ok.any():
        return out
    g, v = groups[ok], values[ok]
    order = np.lexsort((v, g))
    g_sorted, v_sorted = g[order], v[order]
    uniq, start, count = np.unique(g_sorted, return_index=True, return_counts=True)
    low = v_sorted[start + (count - 1) // 2]
    high = v_sorted[start + count // 2]
    medians = (low + high) / 2
    lookup = np.searchsorted(uniq, groups)
    found = (lookup < len(uniq)) & (uniq[np.minimum(lookup, len(uniq) - 1)] == groups)
    out[found] = medians[lookup[found]]
    return out
