"""Answer-pattern features: careless and random responding (Meade & Craig 2012)."""

from __future__ import annotations

import warnings

import numpy as np

from fraud.data import Items
from fraud.features.base import BOTH, HIGH, LOW, Feature

FEATURES = [
    Feature(
        "periodic",
        "pattern",
        HIGH,
        0.15,
        "答案按固定周期重复的程度",
        "answers repeating in a fixed cycle",
        "答案按固定规律循环（{v:.0%} 的题目符合同一周期）",
        "answers follow a repeating cycle ({v:.0%} of the items fit one period)",
    ),
    Feature(
        "longstring",
        "pattern",
        HIGH,
        0.1,
        "最长连续相同答案占比",
        "longest run of identical answers",
        "{v:.0%} 的题目连续选了同一个答案",
        "{v:.0%} of the items in one run of the same answer",
    ),
    Feature(
        "irv",
        "pattern",
        BOTH,
        0.15,
        "答案离散程度（IRV）",
        "intra-individual response variability",
        "答案离散程度异常（标准差 {v:.2f}）",
        "unusual answer spread (SD {v:.2f})",
    ),
    Feature(
        "distinct",
        "pattern",
        LOW,
        1.0,
        "用到的不同选项数",
        "distinct answer categories used",
        "只用了 {v:.0f} 种选项",
        "used only {v:.0f} distinct answer(s)",
    ),
    Feature(
        "topbox",
        "pattern",
        HIGH,
        0.1,
        "最高分选项占比",
        "share of top-box answers",
        "{v:.0%} 的题目给了最高评价",
        "top box on {v:.0%} of the items",
    ),
    Feature(
        "mahalanobis",
        "pattern",
        HIGH,
        0.3,
        "答题前后不一致的程度（稳健马氏距离，不计总体满意度高低）",
        "robust Mahalanobis distance, overall satisfaction level left out",
        "各题答案彼此矛盾，与其他人的答题规律差异很大（距离 {v:.1f}）",
        "answers inconsistent with each other, unlike anyone else's (distance {v:.1f})",
    ),
    Feature(
        "person_total",
        "pattern",
        LOW,
        0.1,
        "与题目平均分的相关",
        "person-total correlation",
        "答案与各题平均水平不相符（相关 {v:.2f}）",
        "answers do not follow the item averages (r = {v:.2f})",
    ),
    Feature(
        "pair_gap",
        "consistency",
        HIGH,
        0.5,
        "成对题目的不一致",
        "inconsistency on paired items",
        "意思相近的两题回答矛盾（相差 {v:.1f} 分）",
        "contradicts itself on paired items (gap {v:.1f})",
    ),
    Feature(
        "reverse_gap",
        "consistency",
        HIGH,
        0.5,
        "反向题的不一致",
        "inconsistency on reverse-worded items",
        "反向表述的题目答得与其他题矛盾（相差 {v:.1f} 分）",
        "reverse-worded items contradict the rest (gap {v:.1f})",
    ),
    Feature(
        "missing",
        "pattern",
        HIGH,
        0.1,
        "未答题比例",
        "share of items not answered",
        "{v:.0%} 的题目未作答",
        "{v:.0%} of the items left unanswered",
    ),
]


def recode(answers: np.ndarray, items: Items) -> np.ndarray:
    """Flip reverse-worded items so that high always means satisfied."""
    reverse = np.array([it.reverse for it in items.items])
    return np.where(reverse, items.scale_max + 1 - answers, answers)


def _longstring(raw: np.ndarray) -> np.ndarray:
    n, k = raw.shape
    best = np.zeros(n)
    run = np.ones(n)
    for j in range(1, k):
        same = (raw[:, j] == raw[:, j - 1]) & ~np.isnan(raw[:, j])
        run = np.where(same, run + 1, 1)
        best = np.maximum(best, run)
    answered = np.maximum((~np.isnan(raw)).sum(axis=1), 1)
    return np.minimum(np.maximum(best, 1), answered) / answered


def robust_shape(x: np.ndarray, rng: np.random.Generator, max_rows: int = 4000) -> tuple[np.ndarray, ...]:
    """A trimmed (two-step reweighted) centre and covariance of the recoded answers, without the leading
    direction (overall satisfaction): (centre, vectors, values).

    A resident who is consistently unhappy sits far out along the first principal direction, and that is an
    opinion, not an anomaly; what is left after removing it measures how inconsistent the answers are with
    each other, which is what random or careless answering produces.
    """
    sample = x if len(x) <= max_rows else x[rng.choice(len(x), max_rows, replace=False)]
    keep = np.ones(len(sample), dtype=bool)
    for _ in range(2):
        centre = np.median(sample[keep], axis=0)
        cov = np.cov(sample[keep], rowvar=False) + np.eye(x.shape[1]) * 0.05
        values, vectors = np.linalg.eigh(cov)  # ascending: the last is the overall-satisfaction direction
        values, vectors = values[:-1], vectors[:, :-1]
        proj = (sample - centre) @ vectors
        d2 = (proj**2 / values).sum(axis=1)
        keep = d2 <= np.quantile(d2, 0.9)
    return centre, vectors, values


def mahalanobis(x: np.ndarray, shape: tuple[np.ndarray, ...] | None) -> np.ndarray:
    """Distance of each row from a `robust_shape` (zeros when the batch was too small to have one)."""
    if shape is None:
        return np.zeros(len(x))
    centre, vectors, values = shape
    proj = (x - centre) @ vectors
    return np.sqrt(np.maximum((proj**2 / values).sum(axis=1), 0))


def column_reference(answers: np.ndarray, items: Items) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the median recoded answer (fills a missing one), the mean after filling, and the filled
    matrix itself."""
    rec = recode(answers, items)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        col_median = np.nanmedian(rec, axis=0) if len(rec) else np.full(rec.shape[1], np.nan)
    col_median = np.where(np.isnan(col_median), (items.scale_max + 1) / 2, col_median)
    filled = np.where(np.isnan(rec), col_median, rec)
    means = filled.mean(axis=0) if len(filled) else col_median
    return col_median, means, filled


def answer_features(
    answers: np.ndarray,
    items: Items,
    col_median: np.ndarray,
    col_means: np.ndarray,
    shape: tuple[np.ndarray, ...] | None,
) -> dict[str, np.ndarray]:
    """Compute the answer-pattern features for every row, against the batch's reference (item medians and
    means, the answers' robust shape), so that a response scores the same alone or in its whole campaign."""
    n, k = answers.shape
    rec = recode(answers, items)
    answered = (~np.isnan(answers)).sum(axis=1)
    out: dict[str, np.ndarray] = {"missing": 1 - answered / k, "longstring": _longstring(answers)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out["irv"] = np.nanstd(answers, axis=1)
        out["topbox"] = np.nansum(rec >= items.scale_max, axis=1) / np.maximum(answered, 1)
        filled = np.where(np.isnan(rec), col_median, rec)
        centred_row = filled - filled.mean(axis=1, keepdims=True)
        centred_col = col_means - col_means.mean()
        denom = np.sqrt((centred_row**2).sum(axis=1) * (centred_col**2).sum())
        out["person_total"] = np.where(
            denom > 1e-9, centred_row @ centred_col / np.maximum(denom, 1e-12), np.nan
        )
    out["distinct"] = np.array([len(np.unique(r[~np.isnan(r)])) for r in answers], dtype=float)
    out["mahalanobis"] = mahalanobis(filled, shape)
    out["pair_gap"] = _pair_gap(rec, items)
    out["periodic"] = periodicity(answers)
    out["reverse_gap"] = _reverse_gap(rec, items)
    return out


def periodicity(answers: np.ndarray, periods: tuple[int, ...] = (2, 3, 4)) -> np.ndarray:
    """How far the raw answers (display order) follow a cycle of 2-4 items that is not a flat run: the best
    share of items equal to the one `p` before, minus the share equal to the one just before (a zig-zag
    1-5-1-5 or a staircase 1-2-3-1-2-3 scores near 1; a flat or genuinely varied row near 0 or below)."""
    n, k = answers.shape
    out = np.zeros(n)
    if k < 6:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lag1 = np.nanmean(
            np.where(np.isnan(answers[:, 1:] - answers[:, :-1]), np.nan, answers[:, 1:] == answers[:, :-1]),
            axis=1,
        )
        best = np.full(n, -1.0)
        for p in periods:
            if k <= 2 * p:
                continue
            diff = answers[:, p:] - answers[:, :-p]
            same = np.where(np.isnan(diff), np.nan, diff == 0)
            best = np.maximum(best, np.nanmean(same, axis=1))
    return np.nan_to_num(best - lag1, nan=0.0)


def _pair_gap(rec: np.ndarray, items: Items) -> np.ndarray:
    index = {it.id: j for j, it in enumerate(items.items)}
    pairs = {tuple(sorted((index[it.id], index[it.pair]))) for it in items.items if it.pair}
    if not pairs:
        return np.full(len(rec), np.nan)
    gaps = np.column_stack([np.abs(rec[:, a] - rec[:, b]) for a, b in sorted(pairs)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(gaps, axis=1)


def _reverse_gap(rec: np.ndarray, items: Items) -> np.ndarray:
    reverse = np.array([it.reverse for it in items.items])
    if not reverse.any() or reverse.all():
        return np.full(len(rec), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        forward = np.nanmean(rec[:, ~reverse], axis=1)
        return np.nanmean(np.abs(rec[:, reverse] - forward[:, None]), axis=1)
