"""Judge the flags against callback outcomes: precision and recall of `flagged` on the labelled responses."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score


class EvaluationError(ValueError):
    """The files cannot be evaluated together."""


def read_scores(path: Path) -> dict[str, tuple[float, int]]:
    """id -> (score, flagged) from scores.csv."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"id", "score", "flagged"} <= set(reader.fieldnames):
            raise EvaluationError(f"{path}: needs the columns id, score, flagged")
        out = {}
        for n, row in enumerate(reader, start=2):
            try:
                out[row["id"]] = (float(row["score"]), int(row["flagged"]))
            except (TypeError, ValueError):
                raise EvaluationError(
                    f"{path}: line {n}: score must be a number and flagged 0 or 1"
                ) from None
    return out


def read_labels(path: Path) -> dict[str, int]:
    """id -> 1 (confirmed fake) or 0 (confirmed genuine) from labels.csv."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"id", "label"} <= set(reader.fieldnames):
            raise EvaluationError(f"{path}: needs the columns id, label")
        out = {}
        for n, row in enumerate(reader, start=2):
            if row["label"] not in ("0", "1"):
                raise EvaluationError(f"{path}: line {n}: label must be 0 or 1")
            out[row["id"]] = int(row["label"])
    return out


@dataclass(frozen=True)
class Evaluation:
    labelled: int
    fakes: int
    flagged: int
    true_positives: int
    auc: float | None

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.fakes if self.fakes else None

    def text(self) -> str:
        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.3f}"

        return (
            f"labelled responses: {self.labelled} ({self.fakes} confirmed fake)\n"
            f"flagged among them: {self.flagged}\n"
            f"precision of the flags: {fmt(self.precision)}\n"
            f"recall of the flags: {fmt(self.recall)}\n"
            f"ROC-AUC of the score on the labelled responses: {fmt(self.auc)}\n"
            "(labels come from the callback sample, which favours flagged responses: read recall with care)"
        )


def evaluate(scores: dict[str, tuple[float, int]], labels: dict[str, int]) -> Evaluation:
    """Compare the flags with the labels on the responses present in both files."""
    common = sorted(set(scores) & set(labels))
    if not common:
        raise EvaluationError("no response id appears in both files")
    y = np.array([labels[i] for i in common])
    score = np.array([scores[i][0] for i in common])
    flagged = np.array([scores[i][1] for i in common], dtype=bool)
    auc = float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else None
    return Evaluation(len(common), int(y.sum()), int(flagged.sum()), int((flagged & (y == 1)).sum()), auc)
