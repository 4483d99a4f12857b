"""The grade as plain data (JSON-friendly through `to_dict`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from forms.schema import Label
from grading.schema import Tier


@dataclass
class ItemResult:
    id: str
    instrument: str
    dimension: str
    label: Label
    counts: list[int]  # answers 1..5 (yes = 5, no = 1)
    na: int
    missing: int
    answered: int
    score: Decimal | None  # mean share of the item's points, in %
    type: str
    reverse: bool


@dataclass
class DimensionResult:
    id: str
    label: Label
    weight: Decimal
    n: int
    score: Decimal | None  # 0..100
    ci_low: Decimal | None = None  # the score's 95% interval (normal approximation), 0..100
    ci_high: Decimal | None = None


@dataclass
class ComponentResult:
    id: str
    label: Label
    max: Decimal
    pass_mark: Decimal
    pass_mark_is_default: bool
    source: str
    n: int
    score: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    passed: bool
    dimensions: list[DimensionResult]
    items: list[ItemResult]
    excluded: dict[str, int]
    instrument_versions: list[str]


@dataclass
class GradeResult:
    scheme: str
    scheme_name: Label
    components: list[ComponentResult]
    bonus: Decimal
    total_max: Decimal
    excluded: dict[str, int]
    comparison: list[dict[str, Any]] = field(default_factory=list)
    total: Decimal | None = None
    status: str = ""  # certified | not_certified | insufficient_sample | incomplete
    tier: str | None = None
    tier_label: Label | None = None
    rule: str = ""

    def decide(self, status: str, tier: Tier | None, rule: str) -> GradeResult:
        self.status, self.rule = status, rule
        self.tier, self.tier_label = (tier.id, tier.label) if tier else (None, None)
        return self

    def component(self, component_id: str) -> ComponentResult:
        return next(c for c in self.components if c.id == component_id)

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
