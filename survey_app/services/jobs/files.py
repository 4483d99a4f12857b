"""The files heavy enough to be made by the job worker: every poster in one PDF, the analysis PDF, exports,
and a large campaign's grade for its report page.
One implementation each, used by the direct download routes and by the background jobs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from survey_app.errors import NotFound, Unavailable
from survey_app.i18n import gettext, pick
from survey_app.models import Campaign
from survey_app.posters.content import poster_text
from survey_app.posters.fonts import FontMissing
from survey_app.posters.render import pdf_bytes
from survey_app.reports.analysis_pdf import analysis_pdf
from survey_app.services import audit
from survey_app.services.campaigns.locations import campaign_locations
from survey_app.services.evaluation.breakdown import Breakdown
from survey_app.services.exports.contract import campaign_contract, jsonl
from survey_app.services.exports.tables import finding_rows, response_rows, result_rows, to_csv, to_xlsx
from survey_app.services.grades import grading, large_grades
from survey_app.services.grades.presentation import status_text, verdict
from survey_app.services.intake.links import short_url, survey_url
from survey_app.settings import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORT_FORMATS = ("pdf", "docx")
EXPORTS = {
    ("responses", "csv"),
    ("responses", "xlsx"),
    ("responses", "jsonl"),
    ("results", "csv"),
    ("results", "xlsx"),
    ("findings", "csv"),
    ("findings", "xlsx"),
}


@dataclass(frozen=True)
class Output:
    data: bytes
    filename: str
    media_type: str


def posters(*, session: Session, campaign: Campaign, settings: Settings) -> Output:
    """Every location's poster, one A4 page each, in one PDF."""
    texts = [
        poster_text(
            campaign,
            loc,
            survey_url(settings.base_url, settings.secret_key, loc),
            short_url(settings.base_url, loc),
        )
        for loc in campaign_locations(session=session, campaign=campaign, active_only=True)
    ]
    if not texts:
        raise NotFound("no_locations")
    try:
        data = pdf_bytes(texts, font_setting=settings.cjk_font)
    except FontMissing:
        raise Unavailable("font_missing") from None
    return Output(data, f"posters-{campaign.code}.pdf", "application/pdf")


def analysis(*, session: Session, campaign: Campaign, settings: Settings, locale: str) -> Output:
    """The survey analysis report as a PDF, in the reader's language (the catalog active for `locale`)."""
    result = grading.compute(session=session, campaign=campaign)[0].to_dict()
    texts = {
        "heading": gettext("Survey analysis report"),
        "status": gettext("Result: %(status)s") % {"status": status_text(result)},
        "total": gettext("Overall score: %(total)s of %(max)s")
        % {"total": result["total"] or "—", "max": result["total_max"]},
        "rule": verdict(result),
        "dimensions": gettext("Dimension scores"),
        "items": gettext("Item results"),
    }
    data = analysis_pdf(
        result,
        title=pick(campaign.name_zh, campaign.name_en),
        organisation=campaign.organisation,
        texts=texts,
        locale=locale,
        font_setting=settings.cjk_font,
    )
    return Output(data, f"analysis-{campaign.code}.pdf", "application/pdf")


def report(*, session: Session, campaign: Campaign, settings: Settings, fmt: str) -> Output:
    """The evaluation report (PDF or Word) in the reader's language (the catalog active for the job)."""
    from survey_app.reports.document import to_docx, to_pdf
    from survey_app.services.evaluation.facts import gather
    from survey_app.services.evaluation.report import evaluation_document

    if fmt not in REPORT_FORMATS:
        raise NotFound("not_found")
    doc = evaluation_document(gather(session=session, campaign=campaign, min_cell=settings.min_cell))
    name = f"evaluation-{campaign.code}.{fmt}"
    try:
        if fmt == "pdf":
            return Output(to_pdf(doc, font_setting=settings.cjk_font), name, "application/pdf")
        return Output(to_docx(doc, font_setting=settings.cjk_font), name, DOCX)
    except FontMissing:
        raise Unavailable("font_missing") from None


def letter(*, session: Session, campaign: Campaign, settings: Settings, decision_id: int) -> Output:
    """The decision letter (认证决定书) as a PDF, in the language of the reviewer who decided."""
    from survey_app.reports.document import to_pdf
    from survey_app.services.decisions.letter import letter_document

    doc = letter_document(session=session, campaign=campaign, decision_id=decision_id)
    try:
        data = to_pdf(doc, font_setting=settings.cjk_font)
    except FontMissing:
        raise Unavailable("font_missing") from None
    return Output(data, f"decision-{campaign.code}-{decision_id}.pdf", "application/pdf")


def export(*, session: Session, campaign: Campaign, what: str, fmt: str) -> Output:
    """responses.csv / .xlsx / .jsonl and results.csv / .xlsx."""
    if (what, fmt) not in EXPORTS:
        raise NotFound("not_found")
    name = f"{campaign.code}-{what}.{fmt}"
    if fmt == "jsonl":
        body = jsonl(campaign_contract(session=session, campaign=campaign).lines).encode("utf-8")
        return Output(body, name, "application/x-ndjson")
    if what == "responses":
        rows = list(response_rows(session=session, campaign=campaign))
    elif what == "findings":
        rows = list(finding_rows(session=session, campaign=campaign))
    else:
        rows = list(result_rows(grading.compute(session=session, campaign=campaign)[0].to_dict()))
    if fmt == "csv":
        return Output(to_csv(iter(rows)), name, "text/csv; charset=utf-8")
    return Output(to_xlsx(iter(rows), what), name, XLSX)


def breakdown(table: Breakdown, *, campaign: Campaign, fmt: str) -> Output:
    """The analysis page's dimension x building table (hidden cells written as "<n")."""
    header = [gettext("Building"), gettext("Responses")]
    for _dim, label in table.dimensions:
        name = pick(label.get("zh", ""), label.get("en", ""))
        header += [name, f"{name} n"]
    rows = iter([header, *table.rows()])
    name = f"{campaign.code}-breakdown.{fmt}"
    if fmt == "csv":
        return Output(to_csv(rows), name, "text/csv; charset=utf-8")
    return Output(to_xlsx(rows, "breakdown"), name, XLSX)


def record_export(*, session: Session, campaign: Campaign, actor: str, name: str) -> None:
    """Every export is an audit row (made when it is asked for, whether served at once or by a job)."""
    audit.append(
        session=session,
        actor=actor,
        action="export",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        detail={"file": name},
    )


def grade(*, session: Session, campaign: Campaign) -> Output:
    """A large campaign's grade for its report and analysis pages (`large_grades`)."""
    return Output(
        large_grades.payload(session=session, campaign=campaign),
        f"grade-{campaign.code}.json",
        large_grades.MEDIA,
    )
