"""A report as plain blocks (headings, paragraphs, facts, tables, charts), written out as a PDF (fpdf2, the
CJK font embedded and subset, so its text can be searched and copied) or as an editable Word file
(python-docx). The evaluation report and the decision letter are built once as a `Document`; each format only
lays it out."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey_app.posters.fonts import FontMissing, font_paths
from survey_app.reports import chart_png, charts


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class Facts:
    """Label: value rows (the cover, a decision's particulars)."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths (equal when None)


@dataclass(frozen=True)
class Figure:
    chart: charts.Chart
    caption: str
    width: float = 0.8  # share of the text width


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Facts | Table | Figure | PageBreak


@dataclass
class Document:
    title: str
    subtitle: list[str]
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""  # on every page, beside the page number (e.g. the report number)
    language: str = "zh-CN"

    def text(self) -> str:
        """Every word of the document (tests compare it with the rendered files)."""
        out = [self.title, *self.subtitle]
        for b in self.blocks:
            if isinstance(b, Heading | Para):
                out.append(b.text)
            elif isinstance(b, Facts):
                out += [f"{k} {v}" for k, v in b.rows]
            elif isinstance(b, Table):
                out += [" ".join(b.headers)] + [" ".join(r) for r in b.rows]
            elif isinstance(b, Figure):
                out.append(b.caption)
        return "\n".join(out)


def to_pdf(doc: Document, *, font_setting: str = "") -> bytes:
    """An A4 PDF: a cover (title, subtitle) then the blocks; page numbers and the footer on every page."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    regular, bold = _font(font_setting, "Regular"), _font(font_setting, "Bold")

    def mode(text: str) -> WrapMode:
        """Chinese breaks between any two characters; other text between words."""
        cjk = sum(1 for ch in text if ord(ch) > 0x2E80)
        return WrapMode.CHAR if cjk * 3 > len(text) else WrapMode.WORD

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("cjk", size=8)
            self.set_text_color(90)
            self.cell(0, 6, f"{doc.footer}    {self.page_no()} / {{nb}}", align="C")
            self.set_text_color(0)

    pdf = Pdf(format="A4")
    pdf.set_title(doc.title)
    pdf.set_lang(doc.language)
    pdf.set_creator("Mingcha")
    pdf.add_font("cjk", "", str(regular), collection_font_number=_face(regular))
    pdf.add_font("cjk", "B", str(bold), collection_font_number=_face(bold))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_y(60)
    pdf.set_font("cjk", "B", 24)
    pdf.multi_cell(width, 12, doc.title, align="C", wrapmode=mode(doc.title))
    pdf.ln(4)
    pdf.set_font("cjk", "", 13)
    for line in doc.subtitle:
        pdf.multi_cell(width, 8, line, align="C", wrapmode=mode(line))
    pdf.ln(10)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            pdf.add_page()
        elif isinstance(block, Heading):
            if pdf.get_y() > pdf.h - 50:
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font("cjk", "B", {1: 16, 2: 13}.get(block.level, 11))
            pdf.multi_cell(width, 9, block.text, wrapmode=mode(block.text))
            pdf.ln(1)
        elif isinstance(block, Para):
            pdf.set_font("cjk", "", 9 if block.muted else 10.5)
            pdf.set_text_color(80 if block.muted else 0)
            pdf.multi_cell(width, 6, block.text, wrapmode=mode(block.text))
            pdf.set_text_color(0)
            pdf.ln(1.5)
        elif isinstance(block, Facts | Table):
            headers = [] if isinstance(block, Facts) else block.headers
            rows = [list(r) for r in block.rows] if isinstance(block, Facts) else block.rows
            widths = (1.0, 2.2) if isinstance(block, Facts) else tuple(block.widths or [1.0] * len(headers))
            pdf.set_font("cjk", "", 9)
            with pdf.table(
                col_widths=widths,
                width=width,
                wrapmode=WrapMode.CHAR,  # narrow cells: a long English word must not overflow
                first_row_as_headings=bool(headers),
                line_height=5.5,
                headings_style=_heading_style(),
            ) as table:
                for row in ([headers] if headers else []) + rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)
        elif isinstance(block, Figure):
            image = chart_png.png(block.chart, scale=3, font_setting=font_setting)
            w = width * block.width
            h = w * block.chart.height / block.chart.width
            if pdf.get_y() + h + 12 > pdf.h - 20:
                pdf.add_page()
            pdf.image(io.BytesIO(image), x=pdf.l_margin + (width - w) / 2, w=w, alt_text=block.caption)
            pdf.set_font("cjk", "", 9)
            pdf.multi_cell(width, 5, block.caption, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
    return bytes(pdf.output())


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family="cjk", emphasis="BOLD", fill_color=(232, 237, 245))


def _font(setting: str, weight: str) -> Path:
    found = font_paths(setting, weight)
    if not found:
        raise FontMissing("No CJK font found: set MINGCHA_CJK_FONT (Debian: apt-get install fonts-noto-cjk).")
    return found[0]


def _face(path: Path) -> int:
    return 2 if path.suffix == ".ttc" and "Noto" in path.name else 0  # the SC face of Noto CJK collections


def to_docx(doc: Document, *, font_setting: str = "") -> bytes:
    """An editable Word file: styles Word knows (Title, Heading 1-2, Table Grid, Caption), East Asian text in
    a Chinese font, charts as pictures."""
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    word = Word()
    normal = word.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "SimSun")
    props = word.core_properties
    props.title, props.author, props.language = doc.title, "Mingcha", doc.language
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    if doc.footer:
        section.footer.paragraphs[0].text = doc.footer
    title = word.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in doc.subtitle:
        word.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    text_width = Cm(17)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Heading):
            word.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Para):
            para = word.add_paragraph(block.text)
            if block.muted:
                for run in para.runs:
                    run.font.size = Pt(9)
                    run.font.color.rgb = RGBColor(80, 80, 80)
        elif isinstance(block, Facts | Table):
            headers = [] if isinstance(block, Facts) else block.headers
            rows = [list(r) for r in block.rows] if isinstance(block, Facts) else block.rows
            columns = 2 if isinstance(block, Facts) else len(headers)
            table = word.add_table(rows=0, cols=columns)
            table.style = "Table Grid"
            for k, row in enumerate(([headers] if headers else []) + rows):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = value
                    if k == 0 and headers:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            word.add_paragraph()
        elif isinstance(block, Figure):
            image = chart_png.png(block.chart, scale=2.5, font_setting=font_setting)
            word.add_picture(io.BytesIO(image), width=int(text_width * block.width))
            word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            word.add_paragraph(block.caption, style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()
