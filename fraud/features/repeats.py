"""Genuine repeat respondents: the same phone used again with clearly different answers, or days later.

Two members of one household answering on one phone, an elderly resident helped by a neighbour, or a guest
answering again weeks later in another room are not one person stuffing a poster: stuffing repeats nearly the
same answers within minutes or hours. Such context lowers a response's suspicion (and says why) rather than
raising it. Thresholds are documented defaults (docs/fraud.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

DIFFERENT_MAD = 0.6  # mean absolute answer difference from which two responses are clearly different people
DAYS_APART = 3.0  # or this many days apart: a return visit, not stuffing
HOUSEHOLD_HOURS = 1.0  # or at least this far apart
MAX_HOUSEHOLD = 4  # a phone with more responses than this is no household any more
DAMPING = 0.5  # the score of a benign repeat is multiplied by this (rule hits are never damped)


@dataclass(frozen=True)
class RepeatContext:
    benign: np.ndarray  # bool per row
    others: np.ndarray  # other responses from the same phone
    gap: np.ndarray  # time to the nearest of them (seconds)
    mad: np.ndarray  # answer difference from that one


def repeat_context(client: np.ndarray, submitted: np.ndarray, answers: np.ndarray) -> RepeatContext:
    n = len(client)
    benign = np.zeros(n, dtype=bool)
    others = np.zeros(n)
    gap = np.full(n, np.inf)
    mad_out = np.full(n, np.nan)
    order = np.argsort(client, kind="stable")
    g = client[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n else np.array([], dtype=int)
    ends = np.r_[starts[1:], n] if n else np.array([], dtype=int)
    for a, b in zip(starts, ends, strict=True):
        size = b - a
        idx = order[a:b]
        if size >= 2:
            others[idx] = size - 1
        if size < 2 or size > MAX_HOUSEHOLD:  # alone, or far more than a household (never benign)
            continue
        block = answers[idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mad = np.nanmean(np.abs(block[:, None, :] - block[None, :, :]), axis=2)
        dt = np.abs(submitted[idx][:, None] - submitted[idx][None, :])
        np.fill_diagonal(dt, np.inf)
        mad = np.nan_to_num(mad, nan=0.0)
        # different answers, days apart, or (a household's pace) at least an hour apart: stuffing from one
        # phone comes in minutes, and a phone with more than a household's few responses is never benign
        unlike = (mad >= DIFFERENT_MAD) | (dt >= DAYS_APART * 86400) | (dt >= HOUSEHOLD_HOURS * 3600)
        np.fill_diagonal(unlike, True)
        nearest = dt.argmin(axis=1)
        gap[idx] = dt[np.arange(size), nearest]
        mad_out[idx] = mad[np.arange(size), nearest]
        benign[idx] = unlike.all(axis=1) & (size <= MAX_HOUSEHOLD)
    return RepeatContext(benign, others, gap, mad_out)


def describe(ctx: RepeatContext, i: int, locale: str) -> str:
    """The mitigating reason for row i, e.g. '同一手机另有 1 份答卷，间隔 9 天、答案差异大：…'."""
    seconds = float(ctx.gap[i])
    if locale.startswith("en"):
        when = f"{seconds / 86400:.0f} days" if seconds >= 86400 else f"{max(1, round(seconds / 60))} minutes"
        return (
            f"{ctx.others[i]:.0f} other response(s) from this phone, {when} apart with different answers: "
            "probably another household member or the same person again (lowers suspicion)"
        )
    when = f"{seconds / 86400:.0f} 天" if seconds >= 86400 else f"{max(1, round(seconds / 60))} 分钟"
    return (
        f"同一手机另有 {ctx.others[i]:.0f} 份答卷，间隔 {when}、答案差异大："
        "可能是不同家庭成员或本人再次填写（降低了可疑程度）"
    )
