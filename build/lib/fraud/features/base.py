"""The feature registry entry and the feature matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIGH, LOW, BOTH, NONE = 1, -1, 2, 0


@dataclass(frozen=True)
class Feature:
    """One feature: `direction` says which tail is suspicious; `floor` is the smallest scale that counts
    as one unit of difference (so a count of 2 against a median of 1 is one unit, not infinity)."""

    name: str
    family: str
    direction: int
    floor: float
    zh: str
    en: str
    reason_zh: str
    reason_en: str

    def reason(self, value: float, locale: str = "zh") -> str:
        """A short, concrete reason such as '7 responses from this device within 10 minutes'."""
        template = self.reason_en if locale.startswith("en") else self.reason_zh
        return template.format(v=value)


@dataclass
class FeatureMatrix:
    """Model values (n, m), values to show in reasons (n, m), and the features in column order."""

    values: np.ndarray
    display: np.ndarray
    features: list[Feature]
    ids: list[str]
    n_items: int = 0
    duplicate_of: np.ndarray | None = None  # index of the response a double submission repeats, or -1

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.names.index(name)]
