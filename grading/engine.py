"""The scoring engine: pure functions from a scheme, instrument versions and answer codes to a grade.

A respondent's (or a sheet's) score for a component is the weighted mean of its item coefficients within each
dimension, then the weighted mean of its dimensions (N/A items, and dimensions left empty, drop out and the
remaining weights are renormalised, unless the scheme says N/A counts as zero). The component's score is the
mean over respondents, times the component's maximum; its 95% interval comes from their spread. Reported
numbers and all decisions use two-decimal Decimals (grading.decimals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from forms.schema import Instrument, Item
from grading.codes import MISSING, NA, scored_items
from grading.decimals import report
from grading.results import ComponentResult, DimensionResult, GradeResult, ItemResult
from grading.schema import Component, Scheme


@dataclass
class Batch:
    """Responses (or reconciled sheets) that answered one instrument version."""

    instrument: Instrument
    codes: np.ndarray  # (n, k) uint8, columns = grading.codes.scored_items(instrument)
    locations: list[str] = field(default_factory=list)


def _coefficients(
    scheme: Scheme, component: Component, batch: Batch
) -> tuple[np.ndarray, list[Item], np.ndarray]:
    """Per response and item: the share of the item's points earned (NaN = does not count)."""
    items = scored_items(batch.instrument)
    dims = {d.id for d in component.dimensions}
    cols = [j for j, item in enumerate(items) if item.dimension in dims]
    chosen = [items[j] for j in cols]
    codes = batch.codes[:, cols].astype(np.int16)
    family = np.array([0.0, *map(float, scheme.coefficients[component.coefficient])])
    coef = np.full(codes.shape, np.nan)
    forbidden = np.zeros(len(codes), dtype=bool)
    for j, item in enumerate(chosen):
        col = codes[:, j]
        answered = (col >= 1) & (col <= 5)
        value = np.where(item.reverse, 6 - col, col) if item.type == "likert5" else col
        if item.type == "yesno":
            coef[answered, j] = (col[answered] == 5).astype(float)
        else:
            coef[answered, j] = family[value[answered]]
        policy = scheme.item_na.get(item.id, scheme.na_policy)
        if policy == "zero":
            coef[col == NA, j] = 0.0
        elif policy == "forbidden":
            forbidden |= col == NA
    return coef, chosen, forbidden


def _weighted_rowmean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    present = ~np.isnan(values)
    total = (np.where(present, values, 0.0) * weights).sum(axis=1)
    mass = (present * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mass > 0, total / np.where(mass > 0, mass, 1), np.nan)


def score_component(scheme: Scheme, component: Component, batches: list[Batch]) -> ComponentResult:
    """Score one component from every batch that feeds it (several instrument versions allowed)."""
    row_scores: list[np.ndarray] = []
    dim_rows: dict[str, list[np.ndarray]] = {d.id: [] for d in component.dimensions}
    item_results: list[ItemResult] = []
    versions: list[str] = []
    excluded = {"no scored answer": 0, "N/A where the scheme forbids it": 0}
    for batch in batches:
        if not len(batch.codes):
            continue
        versions.append(batch.instrument.key)
        coef, items, forbidden = _coefficients(scheme, component, batch)
        weights = np.array([item.weight for item in items])
        dim_scores = []
        for dim in component.dimensions:
            cols = [j for j, item in enumerate(items) if item.dimension == dim.id]
            scores = _weighted_rowmean(coef[:, cols], weights[cols]) if cols else np.full(len(coef), np.nan)
            dim_scores.append(scores)
        D = np.column_stack(dim_scores)
        per_row = _weighted_rowmean(D, np.array([float(d.weight) for d in component.dimensions]))
        valid = ~np.isnan(per_row) & ~forbidden
        excluded["no scored answer"] += int(np.isnan(per_row).sum())
        excluded["N/A where the scheme forbids it"] += int((forbidden & ~np.isnan(per_row)).sum())
        row_scores.append(per_row[valid])
        for d, dim in enumerate(component.dimensions):
            dim_rows[dim.id].append(D[valid, d])
        item_results += [_item_result(batch, items, coef, j, valid) for j in range(len(items))]
    return _summarise(component, row_scores, dim_rows, item_results, excluded, versions)


def _item_result(batch: Batch, items: list[Item], coef: np.ndarray, j: int, valid: np.ndarray) -> ItemResult:
    item = items[j]
    column = scored_items(batch.instrument).index(item)
    codes = batch.codes[valid, column]
    counts = np.bincount(codes, minlength=7)
    mean_coef = np.nanmean(coef[valid, j]) if np.isfinite(coef[valid, j]).any() else math.nan
    answered = int(counts[1:6].sum())
    return ItemResult(
        id=item.id,
        instrument=batch.instrument.key,
        dimension=item.dimension or "",
        label=item.label,
        counts=[int(c) for c in counts[1:6]],
        na=int(counts[NA]),
        missing=int(counts[MISSING]),
        answered=answered,
        score=None if math.isnan(mean_coef) else report(100 * mean_coef),
        type=item.type,
        reverse=item.reverse,
    )


def _summarise(component: Component, row_scores, dim_rows, items, excluded, versions) -> ComponentResult:  # type: ignore[no-untyped-def]
    rows = np.concatenate(row_scores) if row_scores else np.empty(0)
    n = len(rows)
    maximum = float(component.max)
    mean = float(rows.mean()) if n else math.nan
    half = 1.96 * float(rows.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    dims = []
    for dim in component.dimensions:
        values = np.concatenate(dim_rows[dim.id]) if dim_rows[dim.id] else np.empty(0)
        values = values[~np.isnan(values)]
        centre = float(values.mean()) if len(values) else math.nan
        spread = 1.96 * float(values.std(ddof=1)) / math.sqrt(len(values)) if len(values) > 1 else math.nan
        dims.append(
            DimensionResult(
                id=dim.id,
                label=dim.label,
                weight=dim.weight,
                n=len(values),
                score=report(100 * centre) if len(values) else None,
                ci_low=report(100 * max(0.0, centre - spread)) if len(values) > 1 else None,
                ci_high=report(100 * min(1.0, centre + spread)) if len(values) > 1 else None,
            )
        )
    score = report(maximum * mean) if n else None
    return ComponentResult(
        id=component.id,
        label=component.label,
        max=component.max,
        pass_mark=component.pass_mark,
        pass_mark_is_default=component.pass_mark_is_default,
        source=component.source,
        n=n,
        score=score,
        ci_low=report(max(0.0, maximum * (mean - half))) if n > 1 else None,
        ci_high=report(min(maximum, maximum * (mean + half))) if n > 1 else None,
        passed=score is not None and score >= component.pass_mark,
        dimensions=dims,
        items=items,
        excluded={k: v for k, v in excluded.items() if v},
        instrument_versions=versions,
    )


def grade(
    scheme: Scheme,
    batches: dict[str, list[Batch]],
    *,
    locations: dict[str, int] | None = None,
    excluded: dict[str, int] | None = None,
) -> GradeResult:
    """Grade: component scores, pass/fail, total with bonus, tier and the rule that decided it.

    `batches` maps an instrument id to its batches; `locations` maps every location code of the campaign to
    its count of counted survey responses (for the per-location minimum); `excluded` counts responses left
    out before grading, by reason (e.g. rejected at callback).
    """
    components = [score_component(scheme, c, batches.get(c.instrument, [])) for c in scheme.components]
    bonus = _bonus(scheme, batches)
    result = GradeResult(
        scheme=scheme.key,
        scheme_name=scheme.name,
        components=components,
        bonus=bonus,
        total_max=scheme.total_max,
        excluded=dict(excluded or {}),
        comparison=compare_sources(components),
    )
    missing = [c for c in components if c.score is None]
    if missing:
        return result.decide("incomplete", None, "no data for " + ", ".join(c.id for c in missing))
    result.total = report(sum((c.score for c in components if c.score is not None), Decimal(0)) + bonus)
    survey_n = sum(c.n for c in components if c.source == "survey")
    short = _sample_problem(scheme, survey_n, locations or {}, any(c.source == "survey" for c in components))
    if short:
        return result.decide("insufficient_sample", None, short)
    failed = [c for c in components if not c.passed]
    if failed:
        why = "; ".join(f"{c.id} {c.score} < pass mark {c.pass_mark}" for c in failed)
        return result.decide("not_certified", None, why)
    mandatory = {i.id: i.score for c in components for i in c.items}
    for tier in scheme.tiers:
        unmet = [
            cid
            for cid, minimum in tier.components_min.items()
            if (result.component(cid).score or Decimal(0)) < minimum
        ]
        missed = [
            i for i in tier.mandatory if (mandatory.get(i) or Decimal(0)) < 100 * scheme.mandatory_level
        ]
        if result.total >= tier.min_total and not unmet and not missed:
            rule = f"total {result.total} >= {tier.min_total}"
            if tier.components_min:
                rule += ", " + ", ".join(f"{k} >= {v}" for k, v in tier.components_min.items())
            if tier.mandatory:
                rule += ", mandatory items met"
            return result.decide("certified", tier, rule + (" (default cut-off)" if tier.is_default else ""))
    lowest = scheme.tiers[-1]
    return result.decide(
        "not_certified", None, f"total {result.total} below the lowest tier ({lowest.min_total})"
    )


def _bonus(scheme: Scheme, batches: dict[str, list[Batch]]) -> Decimal:
    if scheme.bonus is None:
        return Decimal(0)
    points = Decimal(0)
    for batch_list in batches.values():
        for batch in batch_list:
            items = scored_items(batch.instrument)
            for j, item in enumerate(items):
                if item.id in scheme.bonus.items and len(batch.codes) and (batch.codes[:, j] == 5).any():
                    points += scheme.bonus.items[item.id]
    return min(points, scheme.bonus.max)


def _sample_problem(scheme: Scheme, n: int, locations: dict[str, int], has_survey: bool) -> str | None:
    if not has_survey:
        return None
    if n < scheme.min_sample_overall:
        return f"{n} counted responses, the scheme needs at least {scheme.min_sample_overall}"
    short = sorted(code for code, count in locations.items() if count < scheme.min_sample_location)
    if short and scheme.min_sample_location:
        listed = ", ".join(short[:10]) + (" ..." if len(short) > 10 else "")
        return f"{len(short)} location(s) below {scheme.min_sample_location} responses: {listed}"
    return None


def compare_sources(components: list[ComponentResult]) -> list[dict[str, object]]:
    """Perception against inspection (seed L443): a dimension scored both from surveys and from auditor
    sheets, side by side, with the gap in points (0..100 scale)."""
    survey = {
        d.id: d for c in components if c.source == "survey" for d in c.dimensions if d.score is not None
    }
    sheet = {d.id: d for c in components if c.source == "sheet" for d in c.dimensions if d.score is not None}
    return [
        {
            "dimension": dim,
            "label": survey[dim].label,
            "survey": survey[dim].score,
            "auditors": sheet[dim].score,
            "gap": report(survey[dim].score - sheet[dim].score),  # type: ignore[operator]
        }
        for dim in survey
        if dim in sheet
    ]
