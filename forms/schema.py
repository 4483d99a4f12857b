"""The instrument model: an instrument has sections, sections have items; labels in zh-CN and en, and in any
other language a form was written in (XLSForm's `label::Français (fr)`), kept under that language's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = (
    "likert5", "yesno", "single", "multi", "number", "text", "photo", "time", "note", "date", "datetime",
    "acknowledge", "geopoint", "calculate",
)  # fmt: skip
KINDS = ("survey", "mystery", "evaluation", "audit", "self_assessment")
ROLES = ("comment", "contact_consent", "contact_phone")
SCALES = ("agreement", "satisfaction", "rating", "maturity")
SCORED_TYPES = ("likert5", "yesno")
REPEAT_MAX = 30  # entries of one repeat at most (a household roster, the rooms of a floor)


@dataclass(frozen=True)
class Label:
    zh: str
    en: str = ""
    # (the language as the form names it, text), e.g. ("Français (fr)", "Très satisfait")
    other: tuple[tuple[str, str], ...] = ()

    def get(self, locale: str) -> str:
        """The text in a form language named exactly as the form names it, else for an app locale (English
        for en-*, else Chinese), falling back to Chinese."""
        for language, text in self.other:
            if language == locale and text:
                return text
        return self.en if locale.startswith("en") and self.en else self.zh

    def exact(self, language: str) -> str:
        """The text in exactly this language ("zh", "en" or a form's own language name), "" when missing."""
        if language in ("zh", "en"):
            return self.zh if language == "zh" else self.en
        return dict(self.other).get(language, "")


@dataclass(frozen=True)
class Option:
    value: str
    label: Label
    attrs: tuple[tuple[str, str], ...] = ()  # the choices sheet's further columns (cascading selects)

    def attr(self, name: str) -> str:
        """A further column's text; `name` is the option's own value (XLSForm's choice name)."""
        return self.value if name == "name" else dict(self.attrs).get(name, "")


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
    step: float | None = None  # a number's step (XLSForm range: start, end, step -> min, max, step)
    format: str | None = None
    role: str | None = None
    covert: bool | None = None
    hint: Label | None = None
    # a cascading select (XLSForm choice_filter `county = ${county}`, or `selected(${crops}, name)` after a
    # multiple choice): (choice column, earlier question) pairs
    choice_filter: tuple[tuple[str, str], ...] = ()
    calculation: str | None = None  # a calculate item's value from earlier answers (a safe expression)
    constraint_message: Label | None = None  # shown instead of ours when the answer is out of bounds
    required_message: Label | None = None  # shown instead of ours when a required answer is missing

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES and self.dimension is not None

    def options_for(self, values: Any) -> tuple[Option, ...]:
        """The options offered given the answers so far: all, or for a cascading select those whose columns
        match the earlier answers (one of them, after a multiple choice); none until those are answered, as
        in ODK."""
        if not self.choice_filter:
            return self.options
        wanted: list[tuple[str, set[str]]] = []
        for column, question in self.choice_filter:
            answer = values.get(question)
            if answer is None or answer == "" or answer == []:
                return ()
            wanted.append((column, {str(a) for a in answer} if isinstance(answer, list) else {str(answer)}))
        return tuple(o for o in self.options if all(o.attr(c) in v for c, v in wanted))


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    items: tuple[Item, ...]
    # a repeat (XLSForm's begin repeat): a roster the respondent extends, answered once per entry and stored
    # under the section's id as a list of {item: answer}; never scored
    repeat: bool = False
    # a fixed number of entries: a whole number ("3") or an earlier number item's id ("hh_size")
    repeat_count: str | None = None
    repeat_max: int = REPEAT_MAX


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
    # the form's own languages: "zh", "en" or a name as the form gives it, such as "Kiswahili (sw)"
    languages: tuple[str, ...] = ()
    default_language: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def repeat_of(self, item_id: str) -> Section | None:
        """The repeat section an item belongs to, None for an item asked once."""
        return next((s for s in self.sections if s.repeat and any(i.id == item_id for i in s.items)), None)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def dimension(self, dim_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dim_id), None)

    def role_item(self, role: str) -> Item | None:
        return next((i for i in self.items if i.role == role), None)

    def likert_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "likert5" and i.dimension)
