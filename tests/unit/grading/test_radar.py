"""The radar chart: one axis per dimension, escaped labels, values kept within the chart."""

from __future__ import annotations

import re

from grading.radar import radar_svg


def test_one_spoke_and_label_per_axis() -> None:
    axes = [("客户服务", 80.0), ("环境<卫生>", 100.0), ("安全", None), ("管理", 150.0), ("特色", 0.0)]
    svg = radar_svg(axes, title="各维度得分")
    assert svg.count("<line") == 5
    assert "环境&lt;卫生&gt;" in svg and "<卫生>" not in svg
    assert 'aria-label="各维度得分"' in svg and 'role="img"' in svg
    shape = re.findall(r'<polygon points="([^"]+)" fill="rgba', svg)[0].split()
    assert len(shape) == 5
    xs = [float(p.split(",")[0]) for p in shape]
    assert max(xs) <= 320 * 0.5 + 320 * 0.3 + 0.1, "150 is drawn at the rim, not beyond it"
    assert "—" in svg, "a missing score is shown as a dash"


def test_long_english_labels_wrap_instead_of_being_cut() -> None:
    svg = radar_svg(
        [("Environmental sanitation", 70), ("Buildings and shared facilities", 60), ("客户服务", 80)]
    )
    assert ">Environmental</tspan>" in svg and ">sanitation</tspan>" in svg
    assert ">Buildings and</tspan>" in svg and ">shared</tspan>" in svg and ">facilities</tspan>" in svg
    assert ">客户服务</tspan>" in svg


def test_labels_stay_readable_on_a_phone() -> None:
    """Shrunk to a 340 px wide figure (a 360 px phone), label text is still at least 12 px; long Chinese
    labels take two lines instead of running off the chart."""
    svg = radar_svg([("公共秩序维护与安全防范", 70), ("客户服务", 60), ("房屋及设施设备管理", 80)])
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg)
    assert box is not None
    width = float(box.group(1))
    sizes = {float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes and min(sizes) * 340 / width >= 12
    assert ">公共秩序维护</tspan>" in svg and ">与安全防范</tspan>" in svg
    assert ">客户服务</tspan>" in svg
