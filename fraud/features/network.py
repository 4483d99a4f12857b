"""Device, network and location features: repeats per device and IP, bursts at one poster.

A household may answer twice from one phone (two adults), so per-device counts over a day or the whole
campaign use two responses as one unit of suspicion; within ten minutes one extra response already counts.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from fraud.features.base import HIGH, LOW, NONE, Feature
from fraud.features.grouping import group_median

AUTOMATED_AGENT = re.compile(
    r"headless|phantomjs|selenium|webdriver|puppeteer|playwright|python-requests|aiohttp|httpx|curl/|wget/"
    r"|okhttp|go-http-client|java/|scrapy|\bbot\b|spider|crawler",
    re.IGNORECASE,
)

FEATURES = [
    Feature(
        "client_10m",
        "device",
        HIGH,
        1.0,
        "同一设备 10 分钟内的提交数",
        "responses from this device within 10 min",
        "同一设备 10 分钟内提交了 {v:.0f} 份",
        "{v:.0f} responses from this device within 10 minutes",
    ),
    Feature(
        "client_24h",
        "device",
        HIGH,
        2.0,
        "同一设备 24 小时内的提交数",
        "responses from this device within 24 h",
        "同一设备 24 小时内提交了 {v:.0f} 份",
        "{v:.0f} responses from this device within 24 hours",
    ),
    Feature(
        "client_all",
        "device",
        HIGH,
        2.0,
        "同一设备在本项目的提交数",
        "responses from this device in the campaign",
        "同一设备共提交了 {v:.0f} 份",
        "{v:.0f} responses from this device in the campaign",
    ),
    Feature(
        "client_locations",
        "device",
        HIGH,
        2.0,
        "同一设备填写过的地点数",
        "locations answered from this device",
        "同一设备在 {v:.0f} 个不同地点填写",
        "this device answered at {v:.0f} different locations",
    ),
    Feature(
        "ip_10m",
        "network",
        HIGH,
        1.0,
        "同一网络 10 分钟内的提交数",
        "responses from this IP within 10 min",
        "同一网络地址 10 分钟内提交了 {v:.0f} 份",
        "{v:.0f} responses from this IP address within 10 minutes",
    ),
    Feature(
        "ip_24h",
        "network",
        HIGH,
        1.0,
        "同一网络 24 小时内的提交数（对数）",
        "responses from this IP within 24 h (log)",
        "同一网络地址 24 小时内提交了 {v:.0f} 份",
        "{v:.0f} responses from this IP address within 24 hours",
    ),
    Feature(
        "ip_all",
        "network",
        HIGH,
        1.0,
        "同一网络在本项目的提交数（对数）",
        "responses from this IP in the campaign (log)",
        "同一网络地址共提交了 {v:.0f} 份",
        "{v:.0f} responses from this IP address in the campaign",
    ),
    Feature(
        "loc_gap",
        "location",
        LOW,
        2.0,
        "与同一地点相邻提交的间隔（对数）",
        "time to the nearest response at the same location (log)",
        "与同一地点的上一份只隔 {v:.0f} 秒",
        "only {v:.0f} s from another response at this location",
    ),
    Feature(
        "loc_burst",
        "location",
        HIGH,
        1.0,
        "同一地点的集中提交程度",
        "burst at this location against its usual rate",
        "同一地点 10 分钟内集中提交（{v:.0f} 份）",
        "a burst at this location ({v:.0f} responses within 10 minutes)",
    ),
    Feature(
        "ua_automated",
        "device",
        NONE,
        1.0,
        "浏览器标识为自动化程序",
        "user agent of an automated browser",
        "浏览器标识显示是自动化程序",
        "the user agent is an automated browser or script",
    ),
]


def window_counts(groups: np.ndarray, times: np.ndarray, window: float) -> np.ndarray:
    """For each row, how many rows of the same group lie within ±window seconds (itself included)."""
    order = np.lexsort((times, groups))
    g, t = groups[order], times[order] - times.min()
    key = g.astype(float) * 1e10 + t
    counts = np.searchsorted(key, key + window, side="right") - np.searchsorted(
        key, key - window, side="left"
    )
    out = np.empty(len(times), dtype=float)
    out[order] = counts
    return out


def group_sizes(groups: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    return counts[inverse].astype(float)


def distinct_per_group(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    pairs = np.unique(np.column_stack([groups, values]), axis=0)
    uniq, n_distinct = np.unique(pairs[:, 0], return_counts=True)
    lookup = dict(zip(uniq.tolist(), n_distinct.tolist(), strict=True))
    return np.array([lookup[g] for g in groups.tolist()], dtype=float)


def nearest_gap(groups: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Seconds to the nearest other row of the same group (a large value when alone)."""
    order = np.lexsort((times, groups))
    g, t = groups[order], times[order]
    gap = np.full(len(t), 7 * 86400.0)
    same_prev = np.r_[False, g[1:] == g[:-1]]
    prev = np.where(same_prev, t - np.r_[t[0], t[:-1]], np.inf)
    same_next = np.r_[g[:-1] == g[1:], False]
    nxt = np.where(same_next, np.r_[t[1:], t[-1]] - t, np.inf)
    gap = np.minimum(gap, np.minimum(prev, nxt))
    out = np.empty(len(t))
    out[order] = gap
    return out


MAX_PAIRWISE = 200  # groups larger than this are counted whole (no pairwise comparison)
SIMILAR_MAD = 0.5  # mean absolute answer difference under which two responses look like one person's copy


def similar_counts(
    groups: np.ndarray,
    times: np.ndarray,
    answers: np.ndarray,
    window: float,
    locations: np.ndarray | None = None,
) -> np.ndarray:
    """For each row, 1 + the rows of the same group within ±window seconds whose answers are nearly the same
    (a household sharing a phone answers differently; one person stuffing a poster does not). With
    `locations`, the number of distinct locations among those rows instead."""
    out = np.ones(len(times))
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    for a, b in zip(starts, ends, strict=True):
        if b - a < 2:
            continue
        idx = order[a:b]
        if b - a > MAX_PAIRWISE:  # far more than a household (e.g. no device id): every one counts
            out[idx] = (
                window_counts(np.zeros(b - a), times[idx], window)
                if locations is None
                else len(set(locations[idx].tolist()))
            )
            continue
        block = answers[idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mad = np.nanmean(np.abs(block[:, None, :] - block[None, :, :]), axis=2)
        near = (np.nan_to_num(mad, nan=0.0) <= SIMILAR_MAD) & (
            np.abs(times[idx][:, None] - times[idx][None, :]) <= window
        )
        if locations is None:
            out[idx] = near.sum(axis=1)
        else:
            out[idx] = [len(set(locations[idx][row].tolist())) for row in near]
    return out


def network_features(
    client: np.ndarray,
    ip: np.ndarray,
    location: np.ndarray,
    submitted: np.ndarray,
    user_agents: list[str],
    answers: np.ndarray | None = None,
    usual_rate: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return (model values, display values). Device counts only count responses with nearly the same
    answers (given `answers`): two family members on one phone, or a person again weeks later with a
    changed opinion, are not one person stuffing."""
    v: dict[str, np.ndarray] = {}
    v["ua_automated"] = np.array([bool(AUTOMATED_AGENT.search(ua)) for ua in user_agents], dtype=float)
    if answers is None:
        v["client_10m"] = window_counts(client, submitted, 600)
        v["client_24h"] = window_counts(client, submitted, 86400)
        v["client_all"] = group_sizes(client)
        v["client_locations"] = distinct_per_group(client, location)
    else:
        forever = float(np.ptp(submitted)) + 1 if len(submitted) else 1.0
        v["client_10m"] = similar_counts(client, submitted, answers, 600)
        v["client_24h"] = similar_counts(client, submitted, answers, 86400)
        v["client_all"] = similar_counts(client, submitted, answers, forever)
        v["client_locations"] = similar_counts(client, submitted, answers, 86400, locations=location)
    v["ip_10m"] = window_counts(ip, submitted, 600)
    display = dict(v)
    display["ip_24h"] = window_counts(ip, submitted, 86400)
    display["ip_all"] = group_sizes(ip)
    v["ip_24h"] = np.log2(display["ip_24h"])
    v["ip_all"] = np.log2(display["ip_all"])
    gap = np.maximum(nearest_gap(location, submitted), 1.0)
    v["loc_gap"], display["loc_gap"] = np.log(gap), gap
    loc_10m = window_counts(location, submitted, 600)
    usual = group_median(location, loc_10m) if usual_rate is None else usual_rate  # the location's usual rate
    v["loc_burst"] = (loc_10m - usual) / np.sqrt(usual + 1)
    display["loc_burst"] = loc_10m
    return v, display
