"""What residents wrote, summed up: the themes they raise (nouns found by jieba's segmenter and TF-IDF, not by
splitting text by hand), how many comments raise each, and a few short quotes with phone-like numbers masked.
"""

from __future__ import annotations

import gc
import logging
import random
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

from survey_app.services.exports.masking import masked

NOUNS = ("n", "nz", "vn", "ns", "nt")
# words in nearly every comment about any service: they name no theme
GENERAL = frozenset(
    "意见 问题 业主 管理 有点 建议 整体 希望 物业 小区 服务 感觉 情况 工作 时候 地方 方面 大家 人员 "
    "东西 事情 谢谢 辛苦 满意 继续 保持 客人 顾客 员工 师傅们 总体 联系".split()
)
SAMPLE = 5000  # themes are found in at most this many comments (a fixed sample); counts use every comment


@dataclass(frozen=True)
class Theme:
    word: str
    count: int
    quotes: list[str]


@dataclass(frozen=True)
class CommentSummary:
    total: int  # comments written (non-empty)
    themes: list[Theme]


def _segmenter() -> Any:
    """jieba's keyword extractor, loaded once. jieba reads its word-frequency file without closing it; the
    warning that leak raises is silenced where it happens (once, at import), not everywhere."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import jieba
        import jieba.analyse

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        gc.collect()
    return jieba.analyse


def summarise(comments: list[str], *, top: int = 10, quotes: int = 2, seed: int = 0) -> CommentSummary:
    """The `top` themes by the number of comments that raise them, each with up to `quotes` quotes (the
    shortest informative ones, masked, at most 80 characters)."""
    jieba_analyse = _segmenter()
    texts = [c.strip() for c in comments if c and c.strip()]
    sample = texts if len(texts) <= SAMPLE else random.Random(seed).sample(texts, SAMPLE)
    found: Counter[str] = Counter()
    for text in sample:
        for word in set(jieba_analyse.extract_tags(text, topK=4, allowPOS=NOUNS)):
            if word not in GENERAL and len(word) >= 2:
                found[word] += 1
    candidates = [w for w, _ in found.most_common(top * 3)]
    counts = {w: sum(1 for t in texts if w in t) for w in candidates}
    themes = []
    for word in sorted(candidates, key=lambda w: (-counts[w], w))[:top]:
        having = sorted({t for t in texts if word in t and len(t) >= 6}, key=lambda t: (len(t), t))
        picked = [masked(t if len(t) <= 80 else t[:79] + "…") for t in having[:quotes]]
        themes.append(Theme(word, counts[word], picked))
    return CommentSummary(len(texts), themes)
