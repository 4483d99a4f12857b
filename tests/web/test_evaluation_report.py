"""Issue 28: the evaluation report a certification body hands over (PDF and Word, made by the job worker and
the `report` command), the charts over time, and the dimension x building breakdown with small cells hidden.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
from docx import Document as Word
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app import i18n
from survey_app.models import AuditLog, Campaign, Job, JobState, Location
from survey_app.reports.document import to_docx, to_pdf
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.demo.field import seed_field_demo
from survey_app.services.demo.findings import seed_findings_demo
from survey_app.services.evaluation.breakdown import dimension_by_group
from survey_app.services.evaluation.facts import gather
from survey_app.services.evaluation.report import evaluation_document
from survey_app.services.grades import grading, locks
from tests.conftest import CliRun
from tests.factories import add_member, csrf_of, make_user


def _docx_text(data: bytes) -> str:
    word = Word(io.BytesIO(data))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF (with PDFium, Chrome's reader), spacing removed."""
    pdf = pdfium.PdfDocument(data)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    return re.sub(r"\s+", "", text)


def _graded(session: Session, campaign: Campaign) -> None:
    """The auditors' finished sheets too, so that every component has data and the grade is complete."""
    for name in ("field", "field2"):
        user = make_user(session, name, ["field"])
        add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="field")
    seed_field_demo(session=session, campaign=campaign, assign=False)
    session.commit()


def _ask_report(client: TestClient, code: str, fmt: str) -> bytes:
    answer = client.post(f"/c/{code}/jobs", data={"_csrf": csrf_of(client), "kind": "report", "fmt": fmt})
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])  # the test queue runs the job once the request is done
    assert page.status_code == 200 and "评价报告" in page.text
    body = client.get(answer.headers["location"] + "/file")
    assert body.status_code == 200
    return body.content


def test_the_word_report_holds_the_locations_and_the_figures_of_the_grade(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    seed_findings_demo(session=session, campaign=desk)
    _graded(session, desk)
    data = _ask_report(client, desk.code, "docx")
    text = _docx_text(data)
    result = grading.compute(session=session, campaign=desk)[0].to_dict()
    assert "服务认证评价报告" in text and desk.organisation in text
    for location in session.exec(select(Location).where(Location.campaign_id == desk.id)):
        assert location.name in text
    assert result["total"] and f"{result['total']}（满分 {result['total_max']}）" in text
    for component in result["components"]:
        assert f"{component['score']} / {component['max']}" in text, component["id"]
        for dim in component["dimensions"]:
            assert str(dim["score"]) in text
            if dim["ci_low"] is not None:  # each dimension with its 95% interval
                assert float(dim["ci_low"]) <= float(dim["score"]) <= float(dim["ci_high"])
                assert f"{dim['ci_low']}–{dim['ci_high']}" in text
    assert result["tier_label"]["zh"] in text
    for heading in ("方法", "样本", "评价结果", "顾客意见", "审核发现", "附录", "可复现性"):
        assert heading in text, heading
    assert "封闭的消防通道" in text or "消防通道" in text, "the demo's findings are listed"
    word = Word(io.BytesIO(data))
    assert len(word.inline_shapes) >= 3, "radar, bars and the responses per day are pictures in the file"
    job = session.exec(select(Job).where(Job.kind == "report")).one()
    assert job.state == JobState.DONE and job.filename == f"evaluation-{desk.code}.docx"


def test_the_pdf_renders_chinese_and_agrees_with_the_locked_snapshot(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    _graded(session, desk)
    snapshot = locks.lock(session=session, campaign=desk, actor="lead1", no_certificate=True)
    session.commit()
    data = _ask_report(client, desk.code, "pdf")
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "服务认证评价报告" in text and "评价结果" in text and "1号楼单元入口" in text
    locked = snapshot.result
    assert str(locked["total"]) in text
    for component in locked["components"]:
        assert f"{component['score']}/{component['max']}" in text
    assert snapshot.counted_sha256 in text, "the reproducibility block names what the grade was computed from"
    assert snapshot.snapshot_sha256 and snapshot.snapshot_sha256 in text


def test_the_report_speaks_english_when_asked(session: Session, desk: Campaign) -> None:
    with i18n.speaking("en"):
        doc = evaluation_document(gather(session=session, campaign=desk))
        text = _docx_text(to_docx(doc))
    assert "Service certification evaluation report" in text and "Residents' comments" in text
    assert "Customer perception" in text, "scheme labels in the reader's language"
    assert "评价报告" not in text


def test_comment_themes_come_from_the_segmenter_with_numbers_masked(session: Session, desk: Campaign) -> None:
    from survey_app.services.evaluation.comments import summarise

    summary = summarise(
        [
            "电梯经常坏，反映也没人修",
            "电梯晚上不太安全",
            "停车场收费不够透明",
            "电梯维修很及时",
            "停车场太乱",
            "路灯坏了，请打 138 0013 8000 联系我",
            "很好",
            "",
        ]
    )
    words = {t.word: t for t in summary.themes}
    assert summary.total == 7
    assert words["电梯"].count == 3 and words["停车场"].count == 2
    assert words["路灯"].quotes == ["路灯坏了，请打 [号码已隐去] 联系我"]
    assert "很好" not in words, "a comment without a noun raises no theme"


def test_the_breakdown_hides_small_cells_on_the_page_and_in_the_download(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    table = dimension_by_group(session=session, campaign=desk, min_n=10)
    small = [g for g in table.groups if table.totals[g] < 10]
    large = [g for g in table.groups if table.totals[g] >= 10]
    assert small and large, "the demo has buildings on both sides of 10"
    assert all(
        table.cells[(g, d)].hidden and table.cells[(g, d)].score is None
        for g in small
        for d, _ in table.dimensions
    )
    assert all(not table.cells[(g, d)].hidden for g in large for d, _ in table.dimensions)
    page = client.get(f"/c/{desk.code}/report/analysis")
    assert page.status_code == 200 and "按楼栋" in page.text
    default = dimension_by_group(session=session, campaign=desk, min_n=5)
    hidden_default = [g for g in default.groups if default.totals[g] < 5]
    assert page.text.count("<abbr") == len(hidden_default) * len(default.dimensions)
    csv = client.post(f"/c/{desk.code}/report/breakdown.csv", data={"_csrf": csrf_of(client)})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "客户服务" in body and "1号楼" in body
    actions = session.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [a.detail["file"] for a in actions] == ["breakdown.csv"]
    assert (
        client.post(f"/c/{desk.code}/report/breakdown.pdf", data={"_csrf": csrf_of(client)}).status_code
        == 404
    )


def test_charts_over_time_on_the_campaign_and_report_pages(
    client: TestClient, session: Session, desk: Campaign
) -> None:
    page = client.get(f"/c/{desk.code}")
    assert page.status_code == 200 and "每日答卷" in page.text
    figure = page.text.split('class="chart lines"')[1].split("</svg>")[0]
    assert "stroke-dasharray" in figure, "the target is a dashed line, readable without colour"
    before, before_locations, _ = seed_demo(session=session, code="WYW1-2025", year=2025)
    seed_demo_responses(session=session, campaign=before, locations=before_locations, seed=2025)
    locks.lock(session=session, campaign=before, actor="lead", no_certificate=True)
    desk.previous_campaign_id = before.id
    session.add(desk)
    session.commit()
    report = client.get(f"/c/{desk.code}/report")
    assert report.status_code == 200 and "WYW1-2025 → WYW1-2026" in report.text
    trend = report.text.split('class="chart lines"')[1].split("</svg>")[0]
    assert "WYW1-2025" in trend and "WYW1-2026" in trend and "客户服务" in trend


def test_the_report_command_writes_the_same_report(
    session: Session, desk: Campaign, tmp_path: Path, cli: CliRun
) -> None:
    _graded(session, desk)
    out = tmp_path / "report.docx"
    code, printed = cli("report", "--campaign", desk.code, "--format", "docx", "--out", str(out))
    assert code == 0 and "wrote" in printed, printed
    text = _docx_text(out.read_bytes())
    result = grading.compute(session=session, campaign=desk)[0].to_dict()
    assert "服务认证评价报告" in text and str(result["total"]) in text
    code, printed = cli("report", "--campaign", "NOPE", "--format", "pdf", "--out", str(out))
    assert code == 2 and "NOPE" in printed


def test_a_document_renders_in_both_formats_without_a_campaign() -> None:
    from survey_app.reports.document import Document, Facts, Heading, Para, Table

    doc = Document(
        "认证决定书",
        ["测试"],
        [
            Heading("一、结论"),
            Para("准予认证。"),
            Facts([("编号", "X-1")]),
            Table(["a", "b"], [["甲", "乙"]]),
        ],
    )
    assert "准予认证" in _pdf_text(to_pdf(doc)) and "甲" in _docx_text(to_docx(doc))
