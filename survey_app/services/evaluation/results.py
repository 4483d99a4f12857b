"""The evaluation report's results: components, dimensions and items, results by building, the previous cycle
and auditor agreement."""

from __future__ import annotations

from typing import Any

from survey_app.i18n import gettext
from survey_app.reports.document import Heading, PageBreak, Para, Table
from survey_app.services.evaluation.facts import EvaluationFacts
from survey_app.services.evaluation.words import pct, tr
from survey_app.services.grades.presentation import status_text, verdict
from survey_app.web.labels import (
    CHANGE_LABELS,
)

WEAKEST = 5


def results(facts: EvaluationFacts) -> list[Any]:
    result = facts.result
    out: list[Any] = [PageBreak(), Heading(gettext("3. Results"))]
    total = result.get("total")
    out.append(
        Para(
            gettext("Overall: %(total)s of %(max)s. Result: %(status)s.")
            % {"total": total or "—", "max": result["total_max"], "status": status_text(result)}
            + (
                " " + gettext("Grade: %(tier)s.") % {"tier": tr(result["tier_label"])}
                if result.get("tier_label")
                else ""
            )
            + " "
            + verdict(result)
        )
    )
    rows = []
    for comp in result["components"]:
        ci = f"{comp['ci_low']}–{comp['ci_high']}" if comp.get("ci_low") is not None else "—"
        rows.append(
            [
                tr(comp["label"]),
                str(comp["n"]),
                f"{comp['score'] or '—'} / {comp['max']}",
                ci,
                str(comp["pass_mark"]),
                gettext("passed") if comp["passed"] else gettext("not passed"),
            ]
        )
    out.append(Heading(gettext("Components"), 2))
    out.append(
        Table(
            [
                gettext("Component"),
                gettext("n"),
                gettext("Score"),
                gettext("95% interval"),
                gettext("Pass mark"),
                gettext("Outcome"),
            ],
            rows,
            [2.4, 0.8, 1.4, 1.6, 1, 1.1],
        )
    )
    out.append(Heading(gettext("Dimensions"), 2))
    out.append(
        Table(
            [
                gettext("Component"),
                gettext("Dimension"),
                gettext("Weight"),
                gettext("n"),
                gettext("Score %"),
                gettext("95% interval"),
            ],
            [
                [
                    tr(comp["label"]),
                    tr(d["label"]),
                    str(d["weight"]),
                    str(d["n"]),
                    str(d["score"] or "—"),
                    f"{d['ci_low']}–{d['ci_high']}" if d.get("ci_low") is not None else "—",
                ]
                for comp in result["components"]
                for d in comp["dimensions"]
            ],
            [2, 2.2, 0.7, 0.7, 0.9, 1.4],
        )
    )
    items = [i for comp in result["components"] for i in comp["items"] if i.get("score") is not None]
    ranked = sorted(items, key=lambda i: float(i["score"]))
    for title, chosen in (
        (gettext("Weakest items"), ranked[:WEAKEST]),
        (gettext("Strongest items"), ranked[::-1][:WEAKEST]),
    ):
        out.append(Heading(title, 2))
        out.append(
            Table(
                [gettext("Item"), gettext("Answered"), gettext("Score %")],
                [[f"{i['id']} {tr(i['label'])}", str(i["answered"]), str(i["score"])] for i in chosen],
                [5, 1, 1],
            )
        )
    out += _by_building(facts)
    out += _cycles(facts)
    out.append(Heading(gettext("Auditor agreement"), 2))
    agreement = facts.overall_agreement.result
    if agreement.n:
        out.append(
            Para(
                gettext(
                    "Over %(visits)s two-rater visits (%(n)s item pairs): %(pct)s identical, weighted kappa "
                    "%(kappa)s."
                )
                % {
                    "visits": facts.overall_agreement.visits,
                    "n": agreement.n,
                    "pct": pct((agreement.percent or 0) / 100),
                    "kappa": "—" if agreement.kappa is None else f"{agreement.kappa:.2f}",
                }
            )
        )
    else:
        out.append(Para(gettext("No visit was scored by two auditors yet.")))
    return out


def _by_building(facts: EvaluationFacts) -> list[Any]:
    b = facts.breakdown
    out: list[Any] = [Heading(gettext("Results by building"), 2)]
    if not b.groups:
        return [*out, Para(gettext("No counted responses yet."))]
    rows = []
    for group in b.groups:
        row = [group, str(b.totals.get(group, 0))]
        for dim, _label in b.dimensions:
            cell = b.cells[(group, dim)]
            row.append("*" if cell.hidden else ("—" if cell.score is None else f"{cell.score:.1f}"))
        rows.append(row)
    headers = [gettext("Building"), gettext("n")] + [tr(label) for _d, label in b.dimensions]
    out.append(Table(headers, rows, [1.6, 0.7] + [1.0] * len(b.dimensions)))
    short = [g for g in b.groups if b.totals.get(g, 0) < facts.min_sample_location]
    note = gettext("* fewer than %(n)s responses: not shown, to protect the respondents.") % {"n": b.min_n}
    if short:
        note += " " + gettext(
            "These have fewer responses than the scheme's %(n)s per location, so their scores are indicative "
            "only: %(which)s."
        ) % {"n": facts.min_sample_location, "which": "、".join(short)}
    out.append(Para(note, True))
    return out


def _cycles(facts: EvaluationFacts) -> list[Any]:
    out: list[Any] = [Heading(gettext("Comparison with the previous cycle"), 2)]
    change = facts.change
    if change is None:
        return [*out, Para(gettext("There is no locked grade of a previous cycle to compare with."))]
    out.append(
        Para(
            gettext("%(verdict)s: overall %(before)s then, %(after)s now.")
            % {
                "verdict": gettext(CHANGE_LABELS[change["verdict"]]),
                "before": change["before_total"] or "—",
                "after": change["after_total"] or "—",
            }
        )
    )
    labels = {c["id"]: tr(c["label"]) for c in facts.result["components"]}
    out.append(
        Table(
            [gettext("Component"), gettext("Previous"), gettext("Now")],
            [
                [labels.get(t["id"], t["id"]), str(t["before"] or "—"), str(t["after"] or "—")]
                for t in change["trend"]
            ],
        )
    )
    return out
