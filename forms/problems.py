"""Problems found while validating a file, and the small checks shared by every validator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from forms.expressions import ExpressionError, compile_expression
from forms.schema import Label

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PROBLEMS = 200


def _cut(text: str, limit: int = 200) -> str:
    """A problem never echoes more than a short excerpt of the file."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.reason}"


class Collector:
    """Gathers every problem of one file so they can be reported at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, path: str, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.file, _cut(path), _cut(reason)))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.file, "(file)", "too many problems: the rest are not listed"))

    def unknown_keys(self, path: str, data: dict[str, Any], allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(path, f"unknown field {_cut(repr(key), 60)}")

    def label(self, path: str, value: Any) -> Label | None:
        """Check a label: plain text (taken as zh) or a mapping with zh (required), en, and `other` (the
        form's further languages by name)."""
        if isinstance(value, str):
            value = {"zh": value}
        if not isinstance(value, dict):
            self.add(path, "a label must be a mapping with zh (required) and en")
            return None
        zh, en = value.get("zh"), value.get("en", "")
        if not isinstance(zh, str) or not zh.strip():
            self.add(path, "missing zh label")
            return None
        if not isinstance(en, str):
            self.add(path, "the en label must be text")
            return None
        self.unknown_keys(path, value, {"zh", "en", "other"})
        other = value.get("other") or {}
        if not isinstance(other, dict) or not all(
            isinstance(k, str) and 0 < len(k) <= 60 and isinstance(v, str) for k, v in other.items()
        ):
            self.add(path, "other must map a language's name to its text")
            other = {}
        return Label(zh.strip(), en.strip(), tuple((k, v.strip()) for k, v in other.items() if v.strip()))

    def relevant(
        self, path: str, source: Any, earlier: set[str], repeated: frozenset[str] = frozenset()
    ) -> str | None:
        """Check a `relevant` condition: allowed syntax and references to earlier items only (`repeated`:
        the repeats that have ended and their questions, which count(), sum(), max() and min() may read)."""
        if not isinstance(source, str) or not source.strip():
            self.add(path, "relevant must be a condition written as text, e.g. q03 <= 2")
            return None
        try:
            expr = compile_expression(source, calculation=True)
        except ExpressionError as exc:
            self.add(path, f"bad relevant condition: {exc}")
            return None
        for name in sorted(expr.names):
            if name not in earlier:
                self.add(path, f"bad relevant reference: {name!r} is not an earlier item")
        for name in sorted(expr.aggregated - repeated):
            self.add(path, f"bad relevant reference: {name!r} is not a repeat that comes before")
        return source.strip()
