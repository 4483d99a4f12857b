"""Answer-pattern features: careless and random responding (Meade & Craig 2012)."""

from __future__ import annotations

import warnings

import numpy as np

from fraud.data import Items
from fraud.features.base import HIGH, LOW, NONE, Feature

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
        HIGH,  # a wide spread is random answering; a narrow one is an opinion (straight runs have their own)
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
        NONE,
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
        "staircase",
        "pattern",
        HIGH,
        0.1,
        "答案按 1-2-3-4-5 阶梯排列的程度",
        "answers stepping up and down the scale one point at a time",
        "答案沿量表一级一级上下排列（{v:.0%} 的相邻三题成阶梯）",
        "answers step along the scale one point at a time ({v:.0%} of neighbouring triples)",
    ),
    Feature(
        "synonym_gap",
        "coherence",
        HIGH,
        0.3,
        "同一维度题目之间的不一致",
        "disagreement between items of the same dimension",
        "同一方面的题目答得互相矛盾（平均相差 {v:.1f} 分）",
        "items about the same thing answered inconsistently (mean gap {v:.1f})",
    ),
    Feature(
        "even_odd",
        "coherence",
        LOW,
        0.2,
        "奇偶题一致性（各维度奇数题与偶数题的相关）",
        "even-odd consistency over the dimensions",
        "各方面的奇数题与偶数题答得不一致（一致性 {v:.2f}）",
        "odd and even items of each dimension disagree (consistency {v:.2f})",
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


def robust_shape(
    x: np.ndarray, rng: np.random.Generator, max_rows: int = 4000, opinions: int = 1
) -> tuple[np.ndarray, ...]:
    """A trimmed (two-step reweighted) centre and covariance of the recoded answers, without the `opinions`
    leading directions (overall satisfaction, and one per dimension of the instrument): (centre, vectors,
    values).

    A resident who is consistently unhappy, with everything or with one thing (the lifts), sits far out
    along those directions, and that is an opinion, not an anomaly; what is left after removing them
    measures how inconsistent the answers are with each other, which is what random or careless answering
    produces. At least a third of the directions are always kept.
    """
    drop = max(1, min(opinions, x.shape[1] - max(2, x.shape[1] // 3)))
    sample = x if len(x) <= max_rows else x[rng.choice(len(x), max_rows, replace=False)]
    keep = np.ones(len(sample), dtype=bool)
    for _ in range(2):
        centre = np.median(sample[keep], axis=0)
        cov = np.cov(sample[keep], rowvar=False) + np.eye(x.shape[1]) * 0.05
        values, vectors = np.linalg.eigh(cov)  # ascending: the last are the opinion directions
        values, vectors = values[:-drop], vectors[:, :-drop]
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
    out["staircase"] = staircase(answers)
    groups = _dimension_columns(items)
    out["synonym_gap"] = synonym_gap(rec, groups)
    out["even_odd"] = even_odd(rec, groups)
    return out


def staircase(answers: np.ndarray) -> np.ndarray:
    """The share of neighbouring triples (display order) that step one point the same way, 1-2-3 or 5-4-3:
    ramps (1-2-3-4-5-1-2...) and palindromes (1-2-3-4-5-4-3-2...) of any period score high, an honest row
    (which repeats itself far more than it climbs) near 0, random answers about 0.05."""
    n, k = answers.shape
    if k < 5:
        return np.zeros(n)
    step = answers[:, 1:] - answers[:, :-1]
    unit = np.abs(step) == 1
    triple = unit[:, 1:] & unit[:, :-1] & (step[:, 1:] == step[:, :-1])
    counted = ~np.isnan(step[:, 1:] + step[:, :-1])
    return np.where(counted.sum(axis=1) > 0, triple.sum(axis=1) / np.maximum(counted.sum(axis=1), 1), 0.0)


def _dimension_columns(items: Items) -> list[np.ndarray]:
    """Column indexes of each dimension with at least two items (display order kept)."""
    by_dim: dict[str, list[int]] = {}
    for j, item in enumerate(items.items):
        if item.dimension:
            by_dim.setdefault(item.dimension, []).append(j)
    return [np.array(cols) for cols in by_dim.values() if len(cols) >= 2]


def synonym_gap(rec: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Mean absolute difference between the (recoded) answers to items of one dimension, over every such
    pair: items meant to measure the same thing (psychometric synonyms by design). Random answers differ by
    1-1.6 points on average, an honest resident by about half a point, a flat or one-sided opinion less."""
    gaps = [
        np.abs(rec[:, a] - rec[:, b]) for cols in groups for i, a in enumerate(cols) for b in cols[i + 1 :]
    ]
    if not gaps:
        return np.full(len(rec), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.column_stack(gaps), axis=1)


def even_odd(rec: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Even-odd consistency (Johnson 2005): per dimension, the mean of its odd-numbered and of its
    even-numbered items; the correlation of the two halves across dimensions, Spearman-Brown corrected.
    NaN (no evidence either way) with fewer than three dimensions or when the halves do not vary (a flat
    opinion is not an inconsistent one)."""
    n = len(rec)
    if len(groups) < 3:
        return np.full(n, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        odd = np.column_stack([np.nanmean(rec[:, cols[0::2]], axis=1) for cols in groups])
        even = np.column_stack([np.nanmean(rec[:, cols[1::2]], axis=1) for cols in groups])
        odd_c = odd - np.nanmean(odd, axis=1, keepdims=True)
        even_c = even - np.nanmean(even, axis=1, keepdims=True)
        num = np.nansum(odd_c * even_c, axis=1)
        den = np.sqrt(np.nansum(odd_c**2, axis=1) * np.nansum(even_c**2, axis=1))
        r = np.where(den > 1e-9, num / np.maximum(den, 1e-12), np.nan)
        return np.where(np.isnan(r), np.nan, 2 * r / (1 + np.abs(r)))


def periodicity(answers: np.ndarray, periods: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)) -> np.ndarray:
    """How far the raw answers (display order) follow a cycle of 2-8 items that is not a flat run: the best
    share of items equal to the one `p` before, minus the share equal to the one just before (a zig-zag
    1-5-1-5, a staircase 1-2-3-1-2-3 or a ramp 1-2-3-4-5-1-2-3-4-5 scores near 1; a flat or genuinely varied
    row near 0 or below). A period counts only with at least twice its length in items, and at least six
    comparisons, so that a short row cannot fit a long cycle by chance."""
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
            if k < 2 * p or k - p < 6:
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
    """How far each reverse-worded item (recoded) sits from the forward items of its own dimension (all the
    forward items when its dimension has none): antonyms by design. Comparing within the dimension keeps a
    resident who is unhappy with one thing, and says so on its reverse item too, from looking inconsistent."""
    reverse = np.array([it.reverse for it in items.items])
    if not reverse.any() or reverse.all():
        return np.full(len(rec), np.nan)
    dims = np.array([it.dimension for it in items.items])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        everything = np.nanmean(rec[:, ~reverse], axis=1)
        gaps = []
        for j in np.flatnonzero(reverse):
            same = ~reverse & (dims == dims[j]) if dims[j] else np.zeros_like(reverse)
            forward = np.nanmean(rec[:, same], axis=1) if same.any() else everything
            gaps.append(np.abs(rec[:, j] - forward))
        return np.nanmean(np.column_stack(gaps), axis=1)
