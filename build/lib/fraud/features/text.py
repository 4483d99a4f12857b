"""Comment features: length, exact duplicates and near duplicates (character shingles + MinHash/LSH)."""

from __future__ import annotations

import re
import zlib
from collections import defaultdict

import numpy as np

from fraud.features.base import HIGH, NONE, Feature

FEATURES = [
    Feature(
        "comment_len",
        "text",
        NONE,
        1.0,
        "意见字数",
        "comment length",
        "意见 {v:.0f} 字",
        "comment of {v:.0f} characters",
    ),
    Feature(
        "comment_dup",
        "text",
        HIGH,
        1.0,
        "与他人完全相同的意见数",
        "other responses with the identical comment",
        "意见与另外 {v:.0f} 份完全相同",
        "same comment as {v:.0f} other response(s)",
    ),
    Feature(
        "comment_near",
        "text",
        HIGH,
        0.1,
        "与他人意见的最高相似度",
        "highest similarity to another comment",
        "意见与其他答卷高度相似（{v:.0%}）",
        "comment nearly identical to another ({v:.0%} similar)",
    ),
]

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_PRIME = (1 << 61) - 1


def normalise(comment: str) -> str:
    """Lower-case and drop spaces and punctuation, so trivial edits do not hide a copy."""
    return _STRIP.sub("", comment.lower())


def shingles(text: str, size: int = 2) -> np.ndarray:
    """Hashed character n-grams (CRC32, stable across runs)."""
    grams = {text[i : i + size] for i in range(max(1, len(text) - size + 1))}
    return np.array([zlib.crc32(g.encode("utf-8")) for g in grams], dtype=np.uint64)


class MinHasher:
    """MinHash signatures with `n_perm` universal hash functions, seeded for reproducibility."""

    def __init__(self, n_perm: int = 64, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, 1 << 31, n_perm, dtype=np.uint64)
        self.b = rng.integers(0, 1 << 31, n_perm, dtype=np.uint64)

    def signature(self, hashed: np.ndarray) -> np.ndarray:
        return ((self.a[:, None] * hashed[None, :] + self.b[:, None]) % _PRIME).min(axis=1)


def near_duplicate_similarity(texts: list[str], bands: int = 16, seed: int = 1) -> np.ndarray:
    """For each distinct text, the highest estimated Jaccard similarity to another distinct text."""
    if len(texts) < 2:
        return np.zeros(len(texts))
    hasher = MinHasher(n_perm=bands * 4, seed=seed)
    sigs = np.vstack([hasher.signature(shingles(t)) for t in texts])
    rows = sigs.shape[1] // bands
    best = np.zeros(len(texts))
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        chunk = sigs[:, band * rows : (band + 1) * rows]
        for i, key in enumerate(chunk):
            buckets[key.tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2 or len(members) > 200:
                continue
            block = sigs[members]
            sim = (block[:, None, :] == block[None, :, :]).mean(axis=2)
            np.fill_diagonal(sim, 0)
            best[members] = np.maximum(best[members], sim.max(axis=1))
    return best


def text_features(
    comments: list[str], *, min_len: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return (model values, display values); comments shorter than `min_len` are not compared."""
    norm = [normalise(c) for c in comments]
    length = np.array([len(c) for c in comments], dtype=float)
    counted = [t if len(t) >= min_len else "" for t in norm]
    distinct = sorted({t for t in counted if t})
    index = {t: i for i, t in enumerate(distinct)}
    copies = np.zeros(len(distinct))
    for t in counted:
        if t:
            copies[index[t]] += 1
    near_distinct = near_duplicate_similarity(distinct)
    dup = np.array([copies[index[t]] - 1 if t else 0 for t in counted], dtype=float)
    near = np.array(
        [(1.0 if copies[index[t]] > 1 else near_distinct[index[t]]) if t else np.nan for t in counted]
    )
    values = {"comment_len": length, "comment_dup": dup, "comment_near": near}
    return values, dict(values)
