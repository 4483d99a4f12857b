"""Timing features: speed, relative speed at the same poster, implausibly fast items, time of day."""

from __future__ import annotations

import warnings

import numpy as np

from fraud.features.base import HIGH, LOW, Feature

FEATURES = [
    Feature(
        "duration",
        "timing",
        LOW,
        0.15,
        "答卷总用时（对数）",
        "total time taken (log)",
        "{v:.0f} 秒就答完了全部题目",
        "answered everything in {v:.0f} s",
    ),
    Feature(
        "duration_rel",
        "timing",
        LOW,
        0.15,
        "用时相对同一地点中位数",
        "time relative to the location's median",
        "用时只有同一地点他人的 {v:.0%}",
        "took {v:.0%} of the usual time at this location",
    ),
    Feature(
        "fast_items",
        "timing",
        HIGH,
        0.1,
        "作答过快的题目占比",
        "share of items answered implausibly fast",
        "{v:.0%} 的题目作答快得来不及读题",
        "{v:.0%} of the items answered faster than anyone can read them",
    ),
    Feature(
        "hour_rarity",
        "clock",
        HIGH,
        0.5,
        "提交时刻的罕见程度",
        "how unusual the time of day is",
        "在少有人填写的时段提交（当地 {v:02.0f} 时）",
        "sent at an hour when few others answer ({v:02.0f}:00 local)",
    ),
]


def timing_features(
    started: np.ndarray,
    submitted: np.ndarray,
    item_ms: np.ndarray,
    usual_duration: np.ndarray,
    hour_counts: np.ndarray,
    *,
    min_item_ms: float,
    utc_offset_h: float,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return (model values, display values); `usual_duration` is each row's location's median log duration
    and `hour_counts` the campaign's responses per local hour (both from the reference)."""
    seconds = np.maximum(submitted - started, 1.0)
    log_d = np.log(seconds)
    rel = log_d - usual_duration
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        recorded = (~np.isnan(item_ms)).sum(axis=1)
        fast = np.where(
            recorded > 0, np.nansum(item_ms < min_item_ms, axis=1) / np.maximum(recorded, 1), np.nan
        )
    hour = np.floor((submitted / 3600 + utc_offset_h) % 24).astype(int)
    freq = (hour_counts + 1) / (hour_counts.sum() + 24)
    rarity = -np.log(freq[hour] * 24)
    values = {"duration": log_d, "duration_rel": rel, "fast_items": fast, "hour_rarity": rarity}
    display = {"duration": seconds, "duration_rel": np.exp(rel), "fast_items": fast, "hour_rarity": hour}
    return values, display
