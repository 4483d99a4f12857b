"""The survey analysis report (调查分析报告, seed L401) as a PDF: score, tier, radar, dimensions, items."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw

from survey_app.posters.fonts import load
from survey_app.posters.render import A4, DPI, MARGIN
from survey_app.reports import chart_png, charts
from survey_app.services.grades.presentation import radar_axes


def analysis_pdf(
    result: dict[str, Any],
    *,
    title: str,
    organisation: str,
    texts: dict[str, str],
    locale: str = "zh_CN",
    font_setting: str = "",
) -> bytes:
    """Page 1: summary and radar; following pages: the item table."""
    pages = [_summary(result, title, organisation, texts, locale, font_setting)]
    rows = [i for c in result["components"] for i in c["items"]]
    for start in range(0, len(rows), 34):
        pages.append(_items(rows[start : start + 34], texts, locale, font_setting))
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return buf.getvalue()


def _summary(result, title, organisation, texts, locale, setting) -> Image.Image:  # type: ignore[no-untyped-def]
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    y = 90
    for text, size, bold in ((texts["heading"], 44, True), (organisation, 36, True), (title, 30, False)):
        draw.text((MARGIN, y), text, font=load(size, bold, setting), fill=0)
        y += int(size * 1.6)
    y += 10
    for line in (texts["status"], texts["total"], texts["rule"]):
        draw.text((MARGIN, y), line, font=load(30, False, setting), fill=0)
        y += 46
    axes = radar_axes(result, locale)
    chart = Image.open(io.BytesIO(chart_png.png(charts.radar_chart(axes), scale=1.9, font_setting=setting)))
    page.paste(chart.convert("L"), ((A4[0] - chart.width) // 2, y))
    y += 720
    draw.text((MARGIN, y), texts["dimensions"], font=load(32, True, setting), fill=0)
    y += 52
    for label, value in axes:
        shown = "—" if value is None else f"{value:.2f}"
        draw.text((MARGIN, y), label, font=load(26, False, setting), fill=0)
        draw.text((A4[0] - MARGIN - 120, y), shown, font=load(26, True, setting), fill=0)
        y += 38
    return page


def _items(rows: list[dict[str, Any]], texts: dict[str, str], locale: str, setting: str) -> Image.Image:
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    draw.text((MARGIN, 70), texts["items"], font=load(32, True, setting), fill=0)
    y = 130
    key = "en" if locale.startswith("en") else "zh"
    for row in rows:
        label = row["label"].get(key) or row["label"]["zh"]
        font = load(20, False, setting)
        while draw.textlength(label, font=font) > A4[0] - 2 * MARGIN - 360 and len(label) > 4:
            label = label[:-2] + "…"
        draw.text((MARGIN, y), f"{row['id']}  {label}", font=font, fill=0)
        counts = " ".join(str(c) for c in row["counts"])
        draw.text((A4[0] - MARGIN - 340, y), f"{counts}  N/A {row['na']}", font=font, fill=0)
        draw.text(
            (A4[0] - MARGIN - 80, y),
            "—" if row["score"] is None else str(row["score"]),
            font=load(20, True, setting),
            fill=0,
        )
        y += 44
    return page
