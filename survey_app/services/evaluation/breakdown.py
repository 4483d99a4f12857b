"""Dimension scores per building (or per location where no building is named), from the counted responses,
scored by the same engine as the grade. A cell with fewer responses than the minimum is hidden: a building
with three residents must not show how those three answered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from grading.codes import encode, matrix_from, scored_items
from grading.engine import Batch, score_component
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.grades.schemes import campaign_rules
from survey_app.services.review import status


@dataclass(frozen=True)
class Cell:
    n: int
    score: float | None  # None: no answers, or hidden (n below the minimum)
    hidden: bool


@dataclass(frozen=True)
class Breakdown:
    """Rows are groups (buildings or locations), columns the survey's dimensions (id, label)."""

    groups: list[str]
    dimensions: list[tuple[str, dict[str, str]]]
    cells: dict[tuple[str, str], Cell]
    totals: dict[str, int]  # counted responses per group
    min_n: int

    @property
    def hidden(self) -> int:
        return sum(1 for c in self.cells.values() if c.hidden)

    def rows(self) -> list[list[str]]:
        """As plain rows (for CSV/xlsx), hidden cells written as "<min_n" so nothing is read into them."""
        out = []
        for group in self.groups:
            row = [group, str(self.totals.get(group, 0))]
            for dim, _label in self.dimensions:
                cell = self.cells[(group, dim)]
                shown = (
                    f"<{self.min_n}" if cell.hidden else ("" if cell.score is None else f"{cell.score:.2f}")
                )
                row += [shown, str(cell.n)]
            out.append(row)
        return out


def group_of(location: Location) -> str:
    return location.building.strip() or location.name


def dimension_by_group(*, session: Session, campaign: Campaign, min_n: int) -> Breakdown:
    """One query for the counted responses' codes; numpy per group and instrument version."""
    rules = campaign_rules(session=session, campaign=campaign)
    survey = [c for c in rules.components if c.source == "survey"]
    groups_by_location = {
        loc.id: group_of(loc)
        for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    query = select(
        SurveyResponse.location_id,
        SurveyResponse.instrument_version_id,
        SurveyResponse.answer_codes,
        SurveyResponse.answers,
    ).where(status.counted_clause(campaign.id), col(SurveyResponse.location_id).is_not(None))
    rows_by_version: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
    instruments = {}
    for location_id, version_id, codes, answers in session.connection().execute(query):
        if version_id not in instruments:
            instruments[version_id] = materialise(session.get(InstrumentVersion, version_id))
        instrument = instruments[version_id]
        width = len(scored_items(instrument))
        blob = codes if codes is not None and len(codes) == width else encode(instrument, answers or {})
        rows_by_version[version_id].append((groups_by_location.get(location_id, "?"), blob))
    groups = sorted({g for rows in rows_by_version.values() for g, _ in rows}, key=_natural)
    batches: dict[str, dict[str, list[Batch]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[str, int] = defaultdict(int)
    for version_id, rows in rows_by_version.items():
        instrument = instruments[version_id]
        width = len(scored_items(instrument))
        names = np.array([g for g, _ in rows])
        matrix = matrix_from(b"".join(b for _, b in rows), len(rows), width)
        for group in groups:
            picked = names == group
            if picked.any():
                batches[group][instrument.id].append(Batch(instrument, matrix[picked]))
                totals[group] += int(picked.sum())
    dimensions: list[tuple[str, dict[str, str]]] = []
    cells: dict[tuple[str, str], Cell] = {}
    for component in survey:
        for dim in component.dimensions:
            if dim.id not in {d for d, _ in dimensions}:
                dimensions.append((dim.id, {"zh": dim.label.zh, "en": dim.label.en}))
        for group in groups:
            result = score_component(rules, component, batches[group].get(component.instrument, []))
            for scored in result.dimensions:
                hidden = scored.n < min_n
                score = None if hidden or scored.score is None else float(scored.score)
                cells.setdefault((group, scored.id), Cell(scored.n, score, hidden))
    for group in groups:
        for dim_id, _label in dimensions:
            cells.setdefault((group, dim_id), Cell(0, None, min_n > 0))
    return Breakdown(groups, dimensions, cells, dict(totals), min_n)


def _natural(name: str) -> tuple[int, str]:
    """Buildings in their natural order: 2号楼 before 10号楼."""
    digits = "".join(ch for ch in name if ch.isdigit())[:9]
    return (int(digits) if digits.isascii() and digits else 1_000_000_000, name)
