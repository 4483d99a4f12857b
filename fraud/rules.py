"""Rules for the certain cases, with thresholds as parameters; each hit carries a concrete reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fraud.features.base import FeatureMatrix


@dataclass(frozen=True)
class RuleParams:
    """Thresholds of the rules (documented defaults; all can be changed per campaign)."""

    min_seconds_per_item: float = 1.5  # "answered 20 items in 9 s" (Qualtrics-style speeder floor)
    device_burst_10m: int = 5  # "5th response from one device within 10 minutes"
    device_total: int = 6  # "6 responses from one device in the campaign" (one response per household)
    ip_burst_10m: int = 8  # "8 responses from one IP address within 10 minutes"
    fast_item_share: float = 0.8  # most items answered faster than anyone can read them
    min_items_identical: int = 6  # identical answers count only on at least this many items
    automated_agent: float = 1.0  # the user agent names a headless browser, a script or a bot
    cycle_share: float = 0.7  # answers following a 2-8-item cycle on at least this share (feature `periodic`)
    staircase_share: float = 0.4  # neighbouring triples stepping one point the same way (feature `staircase`)


@dataclass(frozen=True)
class Rule:
    name: str
    reason_zh: str
    reason_en: str
    test: Callable[[FeatureMatrix, RuleParams], tuple[np.ndarray, np.ndarray]]

    def reason(self, value: float, answered: int, locale: str = "zh") -> str:
        """The reason text; `answered` is the number of items the response answered."""
        return (self.reason_en if locale.startswith("en") else self.reason_zh).format(v=value, n=answered)


def _col(fm: FeatureMatrix, name: str, display: bool = False) -> np.ndarray:
    j = fm.names.index(name)
    return (fm.display if display else fm.values)[:, j]


def _speed(fm: FeatureMatrix, p: RuleParams) -> tuple[np.ndarray, np.ndarray]:
    seconds = _col(fm, "duration", display=True)
    answered = answered_items(fm)
    return (answered >= 3) & (seconds < p.min_seconds_per_item * answered), seconds


def _threshold(name: str, attr: str) -> Callable[[FeatureMatrix, RuleParams], tuple[np.ndarray, np.ndarray]]:
    def test(fm: FeatureMatrix, p: RuleParams) -> tuple[np.ndarray, np.ndarray]:
        value = _col(fm, name, display=True)
        return value >= getattr(p, attr), value

    return test


def _identical(fm: FeatureMatrix, p: RuleParams) -> tuple[np.ndarray, np.ndarray]:
    """The same answer on every item of a scale that mixes positive and reverse wording."""
    same = (_col(fm, "distinct") <= 1) & (answered_items(fm) >= p.min_items_identical)
    has_reverse = ~np.isnan(_col(fm, "reverse_gap"))
    return same & has_reverse, _col(fm, "distinct")


def _cycle(fm: FeatureMatrix, p: RuleParams) -> tuple[np.ndarray, np.ndarray]:
    """A zig-zag or staircase kept up over the whole scale (1-5-1-5..., 2-3-4-2-3-4...)."""
    value = _col(fm, "periodic")
    return (value >= p.cycle_share) & (answered_items(fm) >= p.min_items_identical), value


def _staircase(fm: FeatureMatrix, p: RuleParams) -> tuple[np.ndarray, np.ndarray]:
    """Ramps and palindromes over the scale (1-2-3-4-5-1-2-3..., 1-2-3-4-5-4-3-2-1...), any period."""
    value = _col(fm, "staircase")
    return (value >= p.staircase_share) & (answered_items(fm) >= p.min_items_identical + 2), value


RULES: tuple[Rule, ...] = (
    Rule("speeder", "{n} 题只用了 {v:.0f} 秒", "answered {n} items in {v:.0f} s", _speed),
    Rule(
        "answer_cycle",
        "{n} 题的答案按固定规律循环（如 1-5-1-5 或 2-3-4-2-3-4）",
        "answers to {n} items follow a fixed cycle (such as 1-5-1-5 or 2-3-4-2-3-4)",
        _cycle,
    ),
    Rule(
        "answer_staircase",
        "{n} 题的答案沿量表一级一级来回排列（如 1-2-3-4-5-4-3-2）",
        "answers to {n} items step up and down the scale one point at a time (such as 1-2-3-4-5-4-3-2)",
        _staircase,
    ),
    Rule(
        "device_burst",
        "同一设备 10 分钟内提交了 {v:.0f} 份",
        "{v:.0f} responses from one device within 10 minutes",
        _threshold("client_10m", "device_burst_10m"),
    ),
    Rule(
        "device_repeat",
        "同一设备共提交了 {v:.0f} 份（每户只应填一次）",
        "{v:.0f} responses from one device (one per household expected)",
        _threshold("client_all", "device_total"),
    ),
    Rule(
        "ip_burst",
        "同一网络地址 10 分钟内提交了 {v:.0f} 份",
        "{v:.0f} responses from one IP address within 10 minutes",
        _threshold("ip_10m", "ip_burst_10m"),
    ),
    Rule(
        "too_fast_items",
        "{v:.0%} 的题目作答快得来不及读题",
        "{v:.0%} of the items answered faster than anyone can read them",
        _threshold("fast_items", "fast_item_share"),
    ),
    Rule(
        "automated_agent",
        "浏览器标识显示是自动化程序",
        "the user agent is an automated browser or script",
        _threshold("ua_automated", "automated_agent"),
    ),
    Rule(
        "identical_with_reverse",
        "所有题目选了同一个答案，连反向题也一样",
        "the same answer everywhere, even on reverse-worded items",
        _identical,
    ),
)


def apply_rules(fm: FeatureMatrix, params: RuleParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (hits (n, r) of 0/1, values (n, r) shown in the reasons)."""
    params = params or RuleParams()
    hits, values = [], []
    for rule in RULES:
        hit, value = rule.test(fm, params)
        hits.append(np.asarray(hit, dtype=float))
        values.append(np.asarray(value, dtype=float))
    n = len(fm.ids)
    if not hits:
        return np.empty((n, 0)), np.empty((n, 0))
    return np.column_stack(hits), np.column_stack(values)


def answered_items(fm: FeatureMatrix) -> np.ndarray:
    """How many scored items each response answered."""
    return np.round(fm.n_items * (1 - _col(fm, "missing")))
