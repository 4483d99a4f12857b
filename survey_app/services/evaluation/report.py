"""The evaluation report (服务认证评价报告) as a document, in the reader's language (the active
catalog): cover, method, sample, results, residents' comments, findings, annexes. Laid out as PDF or Word by
`survey_app.reports.document`; made by the job worker and the `report` command, never in a request."""

from __future__ import annotations

from typing import Any

from survey_app.i18n import gettext, ngettext, pick
from survey_app.reports.document import Document, Facts, Heading, PageBreak, Para, Table
from survey_app.services.evaluation.closing import annexes, comments, findings
from survey_app.services.evaluation.facts import EvaluationFacts
from survey_app.services.evaluation.results import results
from survey_app.services.evaluation.words import day, interval, pct
from survey_app.services.review.summary import wilson
from survey_app.web.labels import (
    CHANNEL_LABELS,
    MODE_LABELS,
)


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
    doc.blocks += results(facts)
    doc.blocks += comments(facts)
    doc.blocks += findings(facts)
    doc.blocks += annexes(facts)
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
        (
            gettext("Survey period"),
            f"{day(facts.campaign, c.starts_at)} – {day(facts.campaign, c.closed_at or c.deadline)}",
        ),
        (gettext("Report number"), facts.report_number),
        (
            gettext("Lead auditors"),
            "、".join(facts.leads) if pick("zh", "en") == "zh" else ", ".join(facts.leads),
        ),
        (gettext("Made on"), day(facts.campaign, facts.made_at)),
        (
            gettext("Grade"),
            gettext("locked on %(day)s") % {"day": day(facts.campaign, facts.locked.created_at)}
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
            % {"n": d.number, "day": day(facts.campaign, d.drawn_at), "size": d.drawn, "seed": d.seed}
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
            % {"rate": pct(c.callback_rate)}
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
            + [str(r.total), pct(r.share)]
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
                pct(d.denied / d.reached if d.reached else None),
                interval(share),
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
