"""The evaluation report's closing sections: residents' comments by theme, the findings and the annexes
(charts, items, the reproducibility block)."""

from __future__ import annotations

from typing import Any

from survey_app.i18n import gettext, ngettext, pick
from survey_app.reports import charts
from survey_app.reports.document import Facts, Figure, Heading, PageBreak, Para, Table
from survey_app.services.evaluation.facts import EvaluationFacts
from survey_app.services.evaluation.figures import daily_chart, trend_chart
from survey_app.services.evaluation.words import day, tr
from survey_app.services.findings.register import is_overdue
from survey_app.services.grades.presentation import radar_axes
from survey_app.web.labels import (
    CRITERION_SOURCES,
    FINDING_STATES,
    FINDING_TYPES,
)


def comments(facts: EvaluationFacts) -> list[Any]:
    summary = facts.comments
    out: list[Any] = [Heading(gettext("4. Residents' comments"))]
    if not summary.total:
        return [*out, Para(gettext("No comments were written."))]
    out.append(
        Para(
            ngettext(
                "%(n)s counted response has a comment. The themes they raise most often:",
                "%(n)s counted responses have a comment. The themes they raise most often:",
                summary.total,
            )
            % {"n": summary.total}
        )
    )
    out.append(
        Table(
            [gettext("Theme"), gettext("Comments"), gettext("For example")],
            [[t.word, str(t.count), " / ".join(t.quotes)] for t in summary.themes],
            [1.2, 0.8, 5],
        )
    )
    out.append(Para(gettext("Phone-like numbers in quotes are masked."), True))
    return out


def findings(facts: EvaluationFacts) -> list[Any]:
    out: list[Any] = [Heading(gettext("5. Findings"))]
    if not facts.findings:
        return [*out, Para(gettext("No findings were raised."))]
    rows = []
    for f in facts.findings:
        state = gettext(FINDING_STATES.get(f.state, f.state))
        if is_overdue(f):
            state += " · " + gettext("overdue")
        source = gettext(CRITERION_SOURCES.get(f.criterion_source, f.criterion_source))
        if f.clause:
            source += f" {f.clause}"
        rows.append(
            [
                str(f.number),
                gettext(FINDING_TYPES.get(f.type, f.type)),
                source,
                f.description,
                state,
                day(facts.campaign, f.deadline),
            ]
        )
    out.append(
        Table(
            [
                gettext("No."),
                gettext("Type"),
                gettext("Criterion"),
                gettext("Description"),
                gettext("State"),
                gettext("Deadline"),
            ],
            rows,
            [0.5, 1.3, 1.5, 3.4, 1.3, 1.2],
        )
    )
    return out


def annexes(facts: EvaluationFacts) -> list[Any]:
    out: list[Any] = [PageBreak(), Heading(gettext("Annexes"))]
    axes = radar_axes(facts.result, pick("zh", "en"))
    title = gettext("Dimension scores")
    out.append(
        Figure(charts.radar_chart(axes, title=title), gettext("Figure 1. %(t)s (radar)") % {"t": title})
    )
    out.append(
        Figure(
            charts.bar_chart(axes, title=title),
            gettext("Figure 2. %(t)s (bars, out of 100)") % {"t": title},
        )
    )
    figure = 3
    if len(facts.history) > 1:
        out.append(
            Figure(trend_chart(facts.history), gettext("Figure %(n)s. Scores across cycles") % {"n": figure})
        )
        figure += 1
    if facts.daily:
        out.append(
            Figure(
                daily_chart(facts.daily, facts.target),
                gettext("Figure %(n)s. Responses per day, cumulative, against the target") % {"n": figure},
            )
        )
    dims = {d["id"]: tr(d["label"]) for comp in facts.result["components"] for d in comp["dimensions"]}
    out.append(Heading(gettext("The survey's items"), 2))
    out.append(
        Table(
            [gettext("Item"), gettext("Dimension"), gettext("Wording")],
            [
                [
                    i["id"],
                    dims.get(i["dimension"], i["dimension"]),
                    tr(i["label"]) + (" " + gettext("(reversed)") if i["reverse"] else ""),
                ]
                for i in facts.items
            ],
            [0.8, 1.6, 5],
        )
    )
    out.append(Heading(gettext("Reproducibility"), 2))
    locked = facts.locked
    if locked is None:
        out.append(
            Para(gettext("The grade is not locked: this report shows the figures of the day it was made."))
        )
        return out
    out.append(
        Facts(
            [
                (gettext("Snapshot SHA-256"), locked.snapshot_sha256 or "—"),
                (gettext("Counted responses SHA-256"), locked.counted_sha256),
                (gettext("Certificate number"), locked.certificate_number or "—"),
            ]
        )
    )
    out.append(Para(gettext("Audit checkpoint taken at the lock:")))
    out.append(Para(locked.checkpoint or "—", True))
    return out
