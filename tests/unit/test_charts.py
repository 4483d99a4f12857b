"""The radar chart (survey_app.reports.charts): one axis per dimension, escaped labels, values kept within the
chart."""

from __future__ import annotations

import re

from survey_app.reports.charts import radar_chart, svg


def radar_svg(axes: list[tuple[str, float | None]], title: str = "") -> str:
    return svg(radar_chart(axes, title=title))


def test_one_spoke_and_label_per_axis() -> None:
    axes = [("客户服务", 80.0), ("环境<卫生>", 100.0), ("安全", None), ("管理", 150.0), ("特色", 0.0)]
    svg = radar_svg(axes, title="各维度得分")
    assert svg.count("<line") == 5, "one spoke per axis"
    assert "环境&lt;卫生&gt;" in svg and "<卫生>" not in svg
    assert 'aria-label="各维度得分"' in svg and 'role="img"' in svg
    shape = re.findall(r'<polygon points="([^"]+)" fill="url', svg)[0].split()
    assert len(shape) == 5
    xs = [float(p.split(",")[0]) for p in shape]
    assert max(xs) <= 320 * 0.5 + 320 * 0.3 + 0.1, "150 is drawn at the rim, not beyond it"
    assert "—" in svg, "a missing score is shown as a dash"


def test_long_english_labels_wrap_instead_of_being_cut() -> None:
    svg = radar_svg(
        [("Environmental sanitation", 70), ("Buildings and shared facilities", 60), ("客户服务", 80)]
    )
    assert ">Environmental</text>" in svg and ">sanitation</text>" in svg
    assert ">Buildings and</text>" in svg and ">shared</text>" in svg and ">facilities</text>" in svg
    assert ">客户服务</text>" in svg


def test_labels_stay_readable_on_a_phone() -> None:
    """Shrunk to a 340 px wide figure (a 360 px phone), label text is still at least 12 px; long Chinese
    labels take two lines instead of running off the chart."""
    svg = radar_svg([("公共秩序维护与安全防范", 70), ("客户服务", 60), ("房屋及设施设备管理", 80)])
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg)
    assert box is not None
    width = float(box.group(1))
    sizes = {float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes and min(sizes) * 340 / width >= 12
    assert ">公共秩序维护</text>" in svg and ">与安全防范</text>" in svg
    assert ">客户服务</text>" in svg


def test_bars_and_lines_are_labelled_and_readable_without_colour() -> None:
    from survey_app.reports.charts import Series, bar_chart, line_chart

    bars = bar_chart([("客户服务", 76.5), ("安全", None)], title="维度得分", mark=(70, "及格线 70"))
    text = svg(bars)
    assert "76.5" in bars.texts() and "—" in bars.texts() and "及格线 70" in bars.texts()
    assert "url(#" in text and "stroke-dasharray" in text, "bars are hatched and the pass mark dashed"
    trend = line_chart(
        ["2025", "2026"],
        [Series("综合", [80.0, 84.0]), Series("客户服务", [70.0, None], "square", dash=True)],
        title="各周期得分",
        target=(75, "目标"),
    )
    out = svg(trend)
    assert {"综合", "客户服务", "目标", "2025", "2026"} <= set(trend.texts())
    assert "<rect" in out and "<circle" in out, "each series has its own marker shape"
    assert out.count("<title>") == 1 and 'role="img"' in out
    assert svg(bars).split('id="')[1][:9] != out.split('id="')[1][:9], "two charts never share a pattern id"


def test_a_chart_as_png_for_the_documents() -> None:
    import io

    from PIL import Image

    from survey_app.reports.chart_png import png

    image = Image.open(io.BytesIO(png(radar_chart([("客户服务", 80.0), ("安全", 60.0), ("环境", 70.0)]))))
    assert image.format == "PNG" and image.size == (480 * 3, 360 * 3)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 10, "something is drawn, text and hatching included"
