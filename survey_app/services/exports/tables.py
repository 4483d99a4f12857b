"""Campaign exports as tables: responses (labels in zh and en) and results, to CSV or xlsx."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlmodel import Session, col, select

from forms.answers import flat_answers
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.exports.masking import masked_value
from survey_app.services.grades.presentation import verdict


def finding_rows(*, session: Session, campaign: Campaign) -> Iterator[list[Any]]:
    """findings.csv / .xlsx: one row per finding with its type, criterion, state, deadline and the
    organisation's correction (stored codes, as the API gives them; free text with phone-like runs masked)."""
    from survey_app.models import Finding
    from survey_app.services.exports.masking import masked
    from survey_app.services.findings.register import as_json

    fields = ["id", "type", "criterion_source", "criterion_other", "clause", "state", "deadline", "overdue"]
    text = ["description", "root_cause", "correction", "corrective_action"]
    yield [*fields, *text, "raised_by", "raised_at", "origin"]
    query = select(Finding).where(Finding.campaign_id == campaign.id).order_by(col(Finding.number))
    for finding in session.exec(query):
        plain = as_json(finding)
        yield (
            [plain[k] if plain[k] is not None else "" for k in fields]
            + [masked(getattr(finding, k)) for k in text]
            + [finding.raised_by, plain["raised_at"], finding.origin]
        )


def response_rows(*, session: Session, campaign: Campaign) -> Iterator[list[Any]]:
    """Header rows (item ids, zh labels, en labels) then one row per response; no personal data (no phone
    field, and phone-like digit runs in text answers and comments masked)."""
    versions = {v.id: materialise(v) for v in session.exec(select(InstrumentVersion))}
    current = versions[campaign.survey_instrument_id]
    items = [i for i in current.items if i.role not in ("contact_phone",)]
    fixed = ["id", "instrument", "location", "channel", "status", "submitted_at", "fraud_score"]
    yield fixed + [i.id for i in items]
    yield ["", "", "", "", "", "", ""] + [i.label.zh for i in items]
    yield ["", "", "", "", "", "", ""] + [i.label.en for i in items]
    codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id)
        .order_by(col(SurveyResponse.id))
    )
    for r in session.exec(query):
        answers = flat_answers(versions[r.instrument_version_id], r.answers)
        comment_item = current.role_item("comment")
        if comment_item:
            answers[comment_item.id] = r.comment
        values = [
            answers.get(i.id, "") if answers.get(i.id) is not None else "N/A" if i.id in answers else ""
            for i in items
        ]
        yield [
            r.public_id,
            versions[r.instrument_version_id].key,
            codes.get(r.location_id, ""),
            r.channel,
            r.status,
            r.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "" if r.fraud_score is None else round(r.fraud_score, 4),
            *[", ".join(map(str, v)) if isinstance(v, list) else v for v in map(masked_value, values)],
        ]


def result_rows(result: dict[str, Any]) -> Iterator[list[Any]]:
    """The grade as rows: summary, components, dimensions, items."""
    yield ["status", result["status"], "tier", result.get("tier") or "", "verdict", verdict(result)]
    yield ["total", result.get("total") or "", "of", result["total_max"], "bonus", result["bonus"]]
    yield []
    yield ["component", "score", "max", "pass_mark", "passed", "n", "ci_low", "ci_high"]
    for c in result["components"]:
        yield [c["id"], c["score"], c["max"], c["pass_mark"], c["passed"], c["n"], c["ci_low"], c["ci_high"]]
    yield []
    yield ["component", "dimension", "label_zh", "label_en", "weight", "score_percent", "n"]
    for c in result["components"]:
        for d in c["dimensions"]:
            yield [c["id"], d["id"], d["label"]["zh"], d["label"]["en"], d["weight"], d["score"], d["n"]]
    yield []
    yield [
        "component",
        "item",
        "label_zh",
        "label_en",
        "answered",
        "n_1",
        "n_2",
        "n_3",
        "n_4",
        "n_5",
        "na",
        "score_percent",
    ]
    for c in result["components"]:
        for i in c["items"]:
            yield [
                c["id"],
                i["id"],
                i["label"]["zh"],
                i["label"]["en"],
                i["answered"],
                *i["counts"],
                i["na"],
                i["score"],
            ]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice against CSV
    injection); numbers stay numbers. Applies to answers, comments, labels, location and campaign names."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterator[list[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel in Chinese opens it correctly; no cell can start a formula."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterator[list[Any]], title: str) -> bytes:
    """Every text cell written as a string (never a formula), neutralised as in the CSV."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
