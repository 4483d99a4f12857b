"""The instrument model: an instrument has sections, sections have items; labels in zh-CN and en."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = ("likert5", "yesno", "single", "multi", "number", "text", "photo", "time", "note")
KINDS = ("survey", "mystery", "evaluation", "audit", "self_assessment")
ROLES = ("comment", "contact_consent", "contact_phone")
SCALES = ("agreement", "satisfaction", "rating", "maturity")
SCORED_TYPES = ("likert5", "yesno")


@dataclass(frozen=True)
class Label:
    zh: str
    en: str = ""

    def get(self, locale: str) -> str:
        """Return the label for a locale, falling back to Chinese."""
        return self.en if locale.startswith("en") and self.en else self.zh


@dataclass(frozen=True)
class Option:
    value: str
    label: Label


@dataclass(frozen=True)
class Dimension:
    id: str
    label: Label


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: Label
    required: bool = True
    na: bool = False
    dimension: str | None = None
    weight: float = 1.0
    reverse: bool = False
    pair: str | None = None
    relevant: str | None = None
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    format: str | None = None
    role: str | None = None
    covert: bool | None = None
    hint: Label | None = None

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES and self.dimension is not None


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    kind: str
    title: Label
    intro: Label | None
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    scale: str = "agreement"
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def dimension(self, dim_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dim_id), None)

    def role_item(self, role: str) -> Item | None:
        return next((i for i in self.items if i.role == role), None)

    def likert_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "likert5" and i.dimension)
