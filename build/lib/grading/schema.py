"""The scheme model: components with a maximum and a pass mark, dimensions with weights, tiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from forms.schema import Label

DEFAULT_COEFFICIENTS = {
    # Share of an item's points earned per Likert answer 1..5 (seed L63: service uses an "experience"
    # coefficient, management a "maturity" coefficient; the seed gives no values, these are our defaults).
    "experience": (Decimal("0"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1")),
    "maturity": (Decimal("0.2"), Decimal("0.4"), Decimal("0.6"), Decimal("0.8"), Decimal("1")),
}
NA_POLICIES = ("drop", "zero", "forbidden")


@dataclass(frozen=True)
class DimensionRule:
    id: str
    label: Label
    weight: Decimal


@dataclass(frozen=True)
class Component:
    id: str
    label: Label
    max: Decimal
    pass_mark: Decimal
    coefficient: str
    source: str  # "survey": from counted responses; "sheet": from reconciled auditor sheets
    instrument: str  # instrument id whose items feed this component
    dimensions: tuple[DimensionRule, ...]
    pass_mark_is_default: bool = False


@dataclass(frozen=True)
class Tier:
    id: str
    label: Label
    min_total: Decimal
    mandatory: tuple[str, ...] = ()  # item ids that must be met (mean coefficient >= mandatory_level)
    components_min: dict[str, Decimal] = field(default_factory=dict)
    is_default: bool = False


@dataclass(frozen=True)
class Bonus:
    max: Decimal
    items: dict[str, Decimal]  # item id -> points when met (yes)


@dataclass(frozen=True)
class Scheme:
    id: str
    version: int
    name: Label
    source: str
    components: tuple[Component, ...]
    tiers: tuple[Tier, ...]  # highest first
    coefficients: dict[str, tuple[Decimal, ...]]
    na_policy: str = "drop"
    item_na: dict[str, str] = field(default_factory=dict)
    bonus: Bonus | None = None
    min_sample_location: int = 0
    min_sample_overall: int = 0
    callback_rate: Decimal = Decimal("0.10")
    mandatory_level: Decimal = Decimal("0.75")
    validity_years: int = 3

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def total_max(self) -> Decimal:
        return sum((c.max for c in self.components), Decimal(0)) + (
            self.bonus.max if self.bonus else Decimal(0)
        )

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)
