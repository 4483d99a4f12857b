"""A radar (spider) chart of dimension scores as inline SVG: no JavaScript, no library, readable in print."""

from __future__ import annotations

import math
from html import escape

FONT = 17  # in the chart's units: about 12 px when the chart is shrunk to a 360 px phone
LINE = 20


def radar_svg(
    axes: list[tuple[str, float | None]], *, size: int = 320, title: str = "", max_value: float = 100
) -> str:
    """One axis per (label, score 0..max); missing scores sit at the centre. Labels are escaped."""
    n = len(axes)
    if n < 3:  # a radar needs three axes; fall back to a bar list drawn the same way
        axes = axes + [("", None)] * (3 - n)
        n = 3
    cx = cy = size / 2
    radius = size * 0.3
    points, grid, spokes, labels = [], [], [], []
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(_xy(cx, cy, radius * ring, i, n) for i in range(n))
        grid.append(f'<polygon points="{ring_points}" fill="none" stroke="#c9d2e0" stroke-width="1"/>')
    for i, (label, value) in enumerate(axes):
        spokes.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{_x(cx, radius, i, n):.1f}" '
            f'y2="{_y(cy, radius, i, n):.1f}" stroke="#c9d2e0" stroke-width="1"/>'
        )
        share = 0.0 if value is None else max(0.0, min(1.0, float(value) / max_value))
        points.append(_xy(cx, cy, radius * share, i, n))
        lx, ly = _x(cx, radius * 1.18, i, n), _y(cy, radius * 1.18, i, n)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        shown = "—" if value is None else f"{float(value):.1f}"
        if label:
            lines = "".join(
                f'<tspan x="{lx:.1f}" dy="{0 if k == 0 else LINE}">{escape(part)}</tspan>'
                for k, part in enumerate(_wrap(label))
            )
            labels.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="{FONT}" fill="#111">'
                f'{lines}<tspan x="{lx:.1f}" dy="{LINE}" font-weight="700">{shown}</tspan></text>'
            )
    shape = " ".join(points)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-80 -10 {size + 160} {size + 40}" role="img" '
        f'aria-label="{escape(title)}" class="radar">'
        + (f"<title>{escape(title)}</title>" if title else "")
        + "".join(grid)
        + "".join(spokes)
        + f'<polygon points="{shape}" fill="rgba(11,61,145,0.25)" stroke="#0b3d91" stroke-width="2"/>'
        + "".join(labels)
        + "</svg>"
    )


def _wrap(label: str, width: int = 13, cjk_width: int = 6) -> list[str]:
    """A long label on two or three short lines (word by word; Chinese by characters), so it is never cut off
    at the chart's edge however small the screen."""
    if " " not in label and any("\u3400" <= ch <= "\u9fff" for ch in label):
        if len(label) <= cjk_width + 1:
            return [label]
        half = -(-len(label) // 2)
        return (
            [label[:half], label[half:]][:3]
            if half <= cjk_width + 1
            else [label[i : i + cjk_width] for i in range(0, len(label), cjk_width)][:3]
        )
    if len(label) <= width or " " not in label:
        return [label]
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3]


def _x(cx: float, r: float, i: int, n: int) -> float:
    return cx + r * math.sin(2 * math.pi * i / n)


def _y(cy: float, r: float, i: int, n: int) -> float:
    return cy - r * math.cos(2 * math.pi * i / n)


def _xy(cx: float, cy: float, r: float, i: int, n: int) -> str:
    return f"{_x(cx, r, i, n):.1f},{_y(cy, r, i, n):.1f}"
