"""The evaluation report (服务认证评价报告) as a document, in the reader's language (the active
catalog): cover, method, sample, results, residents' comments, findings, annexes. Laid out as PDF or Word by
`survey_app.reports.document`; made by the job worker and the `report` command, never in a request."""

from __future__ import annotations

from typing import Any

from survey_app import clock
from survey_app.i18n import gettext, ngettext, pick
from survey_app.reports import charts
from survey_app.reports.document import Document, Facts, Figure, Heading, PageBreak, Para, Table
from survey_app.services.evaluation.facts import EvaluationFacts
from survey_app.services.evaluation.figures import daily_chart, trend_chart
from survey_app.services.findings.register import is_overdue
from survey_app.services.grades.presentation import radar_axes, status_text, verdict
from survey_app.services.review.summary import wilson
from survey_app.web.labels import (
    CHANGE_LABELS,
    CHANNEL_LABELS,
    CRITERION_SOURCES,
    FINDING_STATES,
    FINDING_TYPES,
    MODE_LABELS,
)

WEAKEST = 5


def _tr(label: dict[str, str]) -> str:
    return pick(label.get("zh", ""), label.get("en", ""))


def _day(facts: EvaluationFacts, value: Any) -> str:
    return clock.localtime(value, facts.campaign.timezone, "%Y-%m-%d") if value else "—"


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def _interval(pair: tuple[float, float] | None) -> str:
    return "—" if pair is None else f"{100 * pair[0]:.1f}%–{100 * pair[1]:.1f}%"


def evaluation_document(facts: EvaluationFacts) -> Document:
    c = facts.campaign
    doc = Document(
        title=gettext("Service certification evaluation report"),
        subtitle=[c.organisation, pick(c.name_zh, c.name_en)],
        footer=gettext("Report %(no)s") % {"no": facts.report_number},
        language="en" if pick("zh", "en") == "en" else "zh-CN",
    )
    doc.blocks += _cover(facts)
    doc.blocks += _method(facts)
    doc.blocks += _sample(facts)
    doc.blocks += _results(facts)
    doc.blocks += _comments(facts)
    doc.blocks += _findings(facts)
    doc.blocks += _annexes(facts)
    return doc


def _cover(facts: EvaluationFacts) -> list[Any]:
    c = facts.campaign
    cycle = (
        gettext("Initial certification")
        if not c.cycle and c.previous_campaign_id is None
        else gettext("Surveillance, cycle %(n)s") % {"n": max(c.cycle, 1)}
    )
    rows = [
        (gettext("Certification body"), c.certification_body or "—"),
        (gettext("Organisation"), c.organisation),
        (gettext("Scope"), c.scope or "—"),
        (
            gettext("Scheme"),
            gettext("%(name)s, version %(v)s")
            % {"name": pick(facts.scheme.name_zh, facts.scheme.name_en), "v": facts.scheme.version},
        ),
        (gettext("Cycle"), cycle),
        (gettext("Survey period"), f"{_day(facts, c.starts_at)} – {_day(facts, c.closed_at or c.deadline)}"),
        (gettext("Report number"), facts.report_number),
        (
            gettext("Lead auditors"),
            "、".join(facts.leads) if pick("zh", "en") == "zh" else ", ".join(facts.leads),
        ),
        (gettext("Made on"), _day(facts, facts.made_at)),
        (
            gettext("Grade"),
            gettext("locked on %(day)s") % {"day": _day(facts, facts.locked.created_at)}
            if facts.locked
            else gettext("not locked: figures may still change"),
        ),
    ]
    return [Facts(rows), PageBreak()]


def _method(facts: EvaluationFacts) -> list[Any]:
    c = facts.campaign
    survey_n = sum(facts.statuses.values())
    modes = [
        ngettext(
            "Customer perception survey: %(n)s response",
            "Customer perception survey: %(n)s responses",
            survey_n,
        )
        % {"n": survey_n}
    ]
    for mode in ("covert", "open", "interview"):
        if facts.visits.get(mode):
            modes.append(f"{gettext(MODE_LABELS[mode])}: {facts.visits[mode]}")
    channels = "、".join(gettext(CHANNEL_LABELS.get(ch, ch)) for ch in facts.coverage.channels) or "—"
    draws = facts.callbacks.draws
    draw_text = (
        " ".join(
            gettext("Draw %(n)s on %(day)s: %(size)s responses, seed %(seed)s.")
            % {"n": d.number, "day": _day(facts, d.drawn_at), "size": d.drawn, "seed": d.seed}
            for d in draws
        )
        if draws
        else gettext("No callback sample has been drawn.")
    )
    return [
        Heading(gettext("1. Method")),
        Para(gettext("Evaluation modes used: %(modes)s.") % {"modes": pick("；", "; ").join(modes)}),
        Para(
            ngettext(
                "The survey was answered at %(n)s location (poster QR codes), through these channels: "
                "%(channels)s.",
                "The survey was answered at %(n)s locations (poster QR codes), through these channels: "
                "%(channels)s.",
                len(facts.coverage.rows),
            )
            % {"n": len(facts.coverage.rows), "channels": channels}
            + " "
            + (
                gettext("The target was %(n)s responses.") % {"n": facts.target}
                if facts.target
                else gettext("No response target was set.")
            )
        ),
        Para(
            gettext(
                "Callback verification: a lead auditor phones back %(rate)s of the responses that left "
                "a number with consent. The sample mixes the responses the anomaly model ranks highest "
                "with random controls, drawn with a recorded seed so that it can be drawn again "
                "identically."
            )
            % {"rate": _pct(c.callback_rate)}
            + " "
            + draw_text
        ),
        Para(
            gettext(
                "Visits are scored by two auditors independently; where their sheets differ, a lead auditor "
                "records the final score with a reason (the two-rater rule)."
            )
        ),
        Para(
            gettext(
                "The anomaly model compares each response with the others of the campaign: answering "
                "time, repeated devices and networks, patterns such as the same answer throughout, and "
                "answers that ignore what the items share. It only orders the callbacks; a response is "
                "left out of the grade only when a callback or a lead auditor decides so, with a reason."
            )
        ),
    ]


def _sample(facts: EvaluationFacts) -> list[Any]:
    channels = facts.coverage.channels
    rows = []
    for r in facts.coverage.rows:
        rows.append(
            [r.location.name, str(r.location.target or "—")]
            + [str(r.by_channel.get(ch, 0)) for ch in channels]
            + [str(r.total), _pct(r.share)]
        )
    headers = (
        [gettext("Location"), gettext("Target")]
        + [gettext(CHANNEL_LABELS.get(ch, ch)) for ch in channels]
        + [gettext("Responses"), gettext("Of target")]
    )
    excluded = facts.result.get("excluded", {}) or {}
    for comp in facts.result["components"]:
        for reason, n in (comp.get("excluded") or {}).items():
            excluded = {**excluded, reason: excluded.get(reason, 0) + n}
    out: list[Any] = [Heading(gettext("2. Sample")), Heading(gettext("Responses per location"), 2)]
    out.append(Table(headers, rows, [2.2] + [1.0] * (len(headers) - 1)))
    out.append(Heading(gettext("Exclusions"), 2))
    if excluded:
        out.append(
            Table(
                [gettext("Reason"), gettext("Responses")],
                [[gettext(reason), str(n)] for reason, n in excluded.items()],
                [3, 1],
            )
        )
    else:
        out.append(Para(gettext("No response was left out of the grade.")))
    cb = facts.callbacks
    out.append(Heading(gettext("Callback verification"), 2))
    rows = []
    for d in cb.draws:
        share = wilson(d.denied, d.reached)
        rows.append(
            [
                str(d.number),
                str(d.drawn),
                str(d.called),
                str(d.reached),
                str(d.confirmed),
                str(d.denied),
                _pct(d.denied / d.reached if d.reached else None),
                _interval(share),
            ]
        )
    if rows:
        out.append(
            Table(
                [
                    gettext("Draw"),
                    gettext("Drawn"),
                    gettext("Called"),
                    gettext("Reached"),
                    gettext("Confirmed"),
                    gettext("Denied"),
                    gettext("Denied of reached"),
                    gettext("95% interval"),
                ],
                rows,
            )
        )
        out.append(
            Para(
                gettext("Intervals are Wilson 95% score intervals; a small sample gives a wide interval."),
                True,
            )
        )
    else:
        out.append(Para(gettext("No callback sample has been drawn.")))
    interviews = sum(r.by_channel.get(ch, 0) for r in facts.coverage.rows for ch in ("offline", "phone"))
    out.append(
        Para(
            gettext("Face-to-face and phone interviews: %(n)s responses; interview rounds finalised: %(v)s.")
            % {"n": interviews, "v": facts.visits.get("interview", 0)}
        )
    )
    return out


def _results(facts: EvaluationFacts) -> list[Any]:
    result = facts.result
    out: list[Any] = [PageBreak(), Heading(gettext("3. Results"))]
    total = result.get("total")
    out.append(
        Para(
            gettext("Overall: %(total)s of %(max)s. Result: %(status)s.")
            % {"total": total or "—", "max": result["total_max"], "status": status_text(result)}
            + (
                " " + gettext("Grade: %(tier)s.") % {"tier": _tr(result["tier_label"])}
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
                _tr(comp["label"]),
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
                    _tr(comp["label"]),
                    _tr(d["label"]),
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
                [[f"{i['id']} {_tr(i['label'])}", str(i["answered"]), str(i["score"])] for i in chosen],
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
                    "pct": _pct((agreement.percent or 0) / 100),
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
    headers = [gettext("Building"), gettext("n")] + [_tr(label) for _d, label in b.dimensions]
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
    labels = {c["id"]: _tr(c["label"]) for c in facts.result["components"]}
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


def _comments(facts: EvaluationFacts) -> list[Any]:
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


def _findings(facts: EvaluationFacts) -> list[Any]:
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
                _day(facts, f.deadline),
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


def _annexes(facts: EvaluationFacts) -> list[Any]:
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
    dims = {d["id"]: _tr(d["label"]) for comp in facts.result["components"] for d in comp["dimensions"]}
    out.append(Heading(gettext("The survey's items"), 2))
    out.append(
        Table(
            [gettext("Item"), gettext("Dimension"), gettext("Wording")],
            [
                [
                    i["id"],
                    dims.get(i["dimension"], i["dimension"]),
                    _tr(i["label"]) + (" " + gettext("(reversed)") if i["reverse"] else ""),
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
