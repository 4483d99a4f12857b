"""Group aggregates: does a device's or IP's whole output stand apart from its locations (either way)?"""

from __future__ import annotations

import numpy as np

from fraud.features.base import BOTH, Feature
from fraud.features.grouping import group_median

FEATURES = [
    Feature(
        "client_topbox_excess",
        "group",
        BOTH,
        1.0,
        "同一设备答卷的最高分率与本地点的差",
        "device's top-box rate against the location's",
        "同一设备的答卷最高分率 {v:.0%}，与本地点其他人差异很大",
        "this device's responses give the top box {v:.0%} of the time, far from the location's rate",
    ),
    Feature(
        "ip_topbox_excess",
        "group",
        BOTH,
        1.0,
        "同一网络答卷的最高分率与本地点的差",
        "IP's top-box rate against the location's",
        "同一网络地址的答卷最高分率 {v:.0%}，与本地点其他人差异很大",
        "responses from this IP give the top box {v:.0%} of the time, far from the location's rate",
    ),
]


def _group_mean(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=values, minlength=len(uniq))
    return (sums / counts)[inverse], counts[inverse].astype(float)


def group_features(
    topbox: np.ndarray,
    location: np.ndarray,
    client: np.ndarray,
    ip: np.ndarray,
    *,
    household: int = 2,
    usual_topbox: np.ndarray | None = None,
    spread: float | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """How far a device's (or IP's) responses sit from their locations' norm, as a z statistic.

    Each response's excess is its top-box share minus its location's median (robust while a stuffer is a
    minority at the location, unlike the mean it would drag along). A group's statistic is its mean excess
    times sqrt(n - household) over the robust spread of excesses: the first `household` responses of a
    device or IP are the household norm and carry no group evidence, so single visitors, couples and
    repeat visitors score 0, while a device that sent fifteen glowing responses stands far out.
    """
    excess = topbox - (group_median(location, topbox) if usual_topbox is None else usual_topbox)
    if spread is None:
        spread = max(1.4826 * float(np.median(np.abs(excess - np.median(excess)))), 0.1)
    values, display = {}, {}
    for name, groups in (("client_topbox_excess", client), ("ip_topbox_excess", ip)):
        mean_excess, n = _group_mean(groups, excess)
        values[name] = mean_excess * np.sqrt(np.maximum(n - household, 0)) / spread
        display[name] = _group_mean(groups, topbox)[0]
    return values, display
