"""The charts the pages and the report share: scores across a campaign's cycles and responses per day
against the target (drawn by `survey_app.reports.charts`, as SVG on pages and PNG in documents)."""

from __future__ import annotations

from datetime import date
from typing import Any

from survey_app.i18n import gettext
from survey_app.models import Campaign
from survey_app.reports import charts
from survey_app.services.evaluation.words import tr


def trend_chart(history: list[tuple[Campaign, dict[str, Any]]]) -> charts.Chart:
    """Overall (as a share of its maximum) and each dimension, 0-100, across the cycles."""
    labels = [f"{c.code}" for c, _r in history]
    overall = [
        None if r.get("total") in (None, "") else 100 * float(r["total"]) / float(r["total_max"])
        for _c, r in history
    ]
    series = [charts.Series(gettext("Overall %"), overall, "circle")]
    dims: dict[str, tuple[str, list[float | None]]] = {}
    for k, (_c, r) in enumerate(history):
        for comp in r.get("components", []):
            for d in comp.get("dimensions", []):
                name, values = dims.setdefault(d["id"], (tr(d["label"]), [None] * len(history)))
                if values[k] is None and d.get("score") is not None:
                    values[k] = float(d["score"])
    for n, (name, values) in enumerate(dims.values()):
        series.append(charts.Series(name, values, charts.MARKERS[1 + n % 2], dash=True))
    return charts.line_chart(labels, series, title=gettext("Scores across cycles"), y_max=100)


def daily_chart(daily: list[tuple[date, int]], target: int | None) -> charts.Chart:
    running, cumulative = 0, []
    for _when, n in daily:
        running += n
        cumulative.append(float(running))
    return charts.line_chart(
        [d.strftime("%m-%d") for d, _n in daily],
        [charts.Series(gettext("Responses"), list(cumulative))],
        title=gettext("Responses per day, cumulative"),
        target=(float(target), gettext("Target %(n)s") % {"n": target}) if target else None,
    )
