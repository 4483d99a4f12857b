"""Every chart Mingcha draws, drawn once: a chart is a list of shapes in its own units, written out as inline
SVG for pages (no JavaScript, no chart library) or as a PNG for the PDF and Word reports (`chart_png`, Pillow
and a CJK font).

Charts are readable without colour: series differ by pattern (hatched, dotted, plain), line style (solid,
dashed) and marker shape, and every value and series is labelled in words on the chart itself."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from html import escape

INK, ACCENT, GRID, SECOND = "#111111", "#0b3d91", "#9aa6b8", "#8a4b00"
FONT = 17  # about 12 px when a 480-unit chart is shrunk to a 340 px phone column
LINE = 20


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    tone: str = GRID
    width: float = 1.0
    dash: bool = False


@dataclass(frozen=True)
class Shape:
    """A polygon (closed) or polyline (open); fill is none, hatch, dots or light."""

    points: tuple[tuple[float, float], ...]
    closed: bool = True
    fill: str = "none"
    tone: str = ACCENT
    width: float = 2.0
    dash: bool = False


@dataclass(frozen=True)
class Mark:
    """A data point's marker: circle, square or triangle (a series is told apart by its shape)."""

    x: float
    y: float
    kind: str = "circle"
    tone: str = ACCENT


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = FONT
    anchor: str = "start"  # start, middle, end
    bold: bool = False


@dataclass
class Chart:
    title: str
    width: float
    height: float
    shapes: list[Line | Shape | Mark | Text] = field(default_factory=list)
    left: float = 0.0  # the view box may start left of or above zero (labels outside the plot)
    top: float = 0.0
    css: str = "chart"

    @property
    def key(self) -> str:
        """A short id for this chart's patterns (two charts on one page never share an id)."""
        seed = f"{self.title}|{len(self.shapes)}|{self.width}x{self.height}|{self.shapes[:3]}"
        return "c" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:8]

    def texts(self) -> list[str]:
        """Every label on the chart (tests and the text alternative read them)."""
        return [s.text for s in self.shapes if isinstance(s, Text)]


# ---- the charts -------------------------------------------------------------------------------------------


def radar_chart(axes: list[tuple[str, float | None]], *, title: str = "", max_value: float = 100) -> Chart:
    """One spoke per (label, score 0..max); a missing score sits at the centre and reads "—"."""
    size = 320.0
    axes = axes + [("", None)] * (3 - len(axes)) if len(axes) < 3 else axes
    n, cx, cy, radius = len(axes), size / 2, size / 2, size * 0.3
    chart = Chart(title, size + 160, size + 40, left=-80, top=-10, css="chart radar")
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = tuple(_polar(cx, cy, radius * ring, i, n) for i in range(n))
        chart.shapes.append(Shape(ring_points, tone=GRID, width=1))
    points, labels = [], []
    for i, (label, value) in enumerate(axes):
        chart.shapes.append(Line(cx, cy, *_polar(cx, cy, radius, i, n)))
        share = 0.0 if value is None else max(0.0, min(1.0, float(value) / max_value))
        points.append(_polar(cx, cy, radius * share, i, n))
        lx, ly = _polar(cx, cy, radius * 1.18, i, n)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        if label:
            lines = wrap(label)
            labels += [Text(lx, ly + k * LINE, part, anchor=anchor) for k, part in enumerate(lines)]
            shown = "—" if value is None else f"{float(value):.1f}"
            labels.append(Text(lx, ly + len(lines) * LINE, shown, anchor=anchor, bold=True))
    chart.shapes.append(Shape(tuple(points), fill="hatch", tone=ACCENT, width=2.5))
    chart.shapes += labels
    return chart


def bar_chart(
    rows: list[tuple[str, float | None]],
    *,
    title: str = "",
    max_value: float = 100,
    mark: tuple[float, str] | None = None,
) -> Chart:
    """Horizontal bars, one per (label, value), hatched, each with its value written after it; an optional
    dashed line for a pass mark, labelled."""
    label_w, plot_w, row_h = 190.0, 260.0, 34.0
    height = 30 + row_h * len(rows) + (24 if mark else 0)
    chart = Chart(title, label_w + plot_w + 70, height, css="chart bars")
    top = 24 if mark else 6
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        chart.shapes.append(Text(label_w - 8, y + 21, shorten(label, 9), anchor="end"))
        share = 0.0 if value is None else max(0.0, min(1.0, float(value) / max_value))
        x2 = label_w + plot_w * share
        if share > 0:
            box = ((label_w, y + 6), (x2, y + 6), (x2, y + 28), (label_w, y + 28))
            chart.shapes.append(Shape(box, fill="hatch", tone=ACCENT, width=1.5))
        shown = "—" if value is None else f"{float(value):.1f}"
        chart.shapes.append(Text(x2 + 6, y + 22, shown, bold=True))
    bottom = top + row_h * len(rows)
    chart.shapes.append(Line(label_w, top, label_w, bottom, tone=INK))
    if mark is not None:
        x = label_w + plot_w * max(0.0, min(1.0, mark[0] / max_value))
        chart.shapes.append(Line(x, top - 4, x, bottom, tone=INK, width=1.5, dash=True))
        chart.shapes.append(Text(x, top - 8, mark[1], size=14, anchor="middle"))
    return chart


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    marker: str = "circle"
    dash: bool = False


MARKERS = ("circle", "square", "triangle")


def line_chart(
    x_labels: list[str],
    series: list[Series],
    *,
    title: str = "",
    y_max: float | None = None,
    target: tuple[float, str] | None = None,
) -> Chart:
    """A line chart over labelled steps (days, cycles): each series with its own marker and line style and
    its name written at its last point; an optional dashed target line, labelled."""
    left, plot_w, plot_h, top = 56.0, 330.0, 200.0, 20.0
    chart = Chart(title, left + plot_w + 110, top + plot_h + 48, css="chart lines")
    values = [v for s in series for v in s.values if v is not None]
    ceiling = y_max or _nice(max([*values, target[0] if target else 0.0, 1.0]) * 1.1)
    steps = max(1, len(x_labels) - 1)

    def at(i: int, v: float) -> tuple[float, float]:
        return (left + plot_w * i / steps, top + plot_h * (1 - min(v, ceiling) / ceiling))

    for k in range(5):  # the value grid, labelled
        v = ceiling * k / 4
        y = at(0, v)[1]
        chart.shapes.append(Line(left, y, left + plot_w, y))
        chart.shapes.append(Text(left - 6, y + 5, _short_number(v), size=14, anchor="end"))
    every = max(1, math.ceil(len(x_labels) / 6))
    shown = list(range(0, len(x_labels), every))
    if shown and shown[-1] != len(x_labels) - 1:  # the last step is always labelled, never on top of another
        shown[-1 if len(x_labels) - 1 - shown[-1] < every / 2 else len(shown) :] = [len(x_labels) - 1]
    for i in shown:
        chart.shapes.append(Text(at(i, 0)[0], top + plot_h + 22, x_labels[i], size=14, anchor="middle"))
    chart.shapes.append(Line(left, top + plot_h, left + plot_w, top + plot_h, tone=INK))
    if target is not None:
        y = at(0, target[0])[1]
        chart.shapes.append(Line(left, y, left + plot_w, y, tone=INK, width=1.5, dash=True))
        chart.shapes.append(Text(left + plot_w + 6, y + 5, target[1], size=14))
    ends: list[tuple[float, float, str]] = []
    for s in series:
        tone = ACCENT if s.marker == "circle" else SECOND
        points = [at(i, v) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            chart.shapes.append(Shape(tuple(points), closed=False, tone=tone, width=2.5, dash=s.dash))
        for x, y in points if len(points) <= 40 else points[-1:]:
            chart.shapes.append(Mark(x, y, s.marker, tone))
        if points:
            ends.append((points[-1][0] + 8, points[-1][1] + 5, shorten(s.name, 7)))
    last = -math.inf
    for x, y, name in sorted(ends, key=lambda e: e[1]):  # series names never sit on one another
        last = max(y, last + 17)
        chart.shapes.append(Text(x, last, name, size=14))
    return chart


# ---- writing a chart out ----------------------------------------------------------------------------------


def svg(chart: Chart) -> str:
    """The chart as inline SVG with its title for screen readers (labels are escaped)."""
    key, out = chart.key, []
    for shape in chart.shapes:
        if isinstance(shape, Line):
            out.append(
                f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                f'stroke="{shape.tone}" stroke-width="{shape.width}"{_dash(shape.dash)}/>'
            )
        elif isinstance(shape, Shape):
            tag = "polygon" if shape.closed else "polyline"
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
            fill = {"hatch": f"url(#{key}h)", "dots": f"url(#{key}d)", "light": "#e8edf5"}.get(shape.fill)
            out.append(
                f'<{tag} points="{pts}" fill="{fill or "none"}" stroke="{shape.tone}" '
                f'stroke-width="{shape.width}"{_dash(shape.dash)}/>'
            )
        elif isinstance(shape, Mark):
            out.append(_svg_mark(shape))
        else:
            weight = ' font-weight="700"' if shape.bold else ""
            out.append(
                f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" text-anchor="{shape.anchor}" '
                f'font-size="{shape.size}" fill="{INK}"{weight}>{escape(shape.text)}</text>'
            )
    defs = (
        f'<defs><pattern id="{key}h" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#dce4f2"/>'
        f'<path d="M0 0V8" stroke="{ACCENT}" stroke-width="2.5"/></pattern>'
        f'<pattern id="{key}d" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<circle cx="4" cy="4" r="1.6" fill="{SECOND}"/></pattern></defs>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{chart.left:g} {chart.top:g} '
        f'{chart.width:g} {chart.height:g}" role="img" aria-label="{escape(chart.title)}" '
        f'class="{chart.css}">'
        + (f"<title>{escape(chart.title)}</title>" if chart.title else "")
        + defs
        + "".join(out)
        + "</svg>"
    )


# ---- helpers ----------------------------------------------------------------------------------------------


def wrap(label: str, width: int = 13, cjk_width: int = 6) -> list[str]:
    """A long label on two or three short lines (word by word; Chinese by characters), so it is never cut
    off at the chart's edge however small the screen."""
    if " " not in label and any("\u3400" <= ch <= "\u9fff" for ch in label):
        if len(label) <= cjk_width + 1:
            return [label]
        half = -(-len(label) // 2)
        if half <= cjk_width + 1:
            return [label[:half], label[half:]]
        return [label[i : i + cjk_width] for i in range(0, len(label), cjk_width)][:3]
    if len(label) <= width or " " not in label:
        return [label]
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out[:3]


def shorten(label: str, cjk_chars: int) -> str:
    """A label cut to fit beside a bar (Chinese counts double against a Latin budget), ending in …."""
    budget, used, out = cjk_chars * 2, 0, ""
    for ch in label:
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > budget:
            return out.rstrip() + "…"
        out += ch
    return out


def _polar(cx: float, cy: float, r: float, i: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return (cx + r * math.cos(angle), cy + r * math.sin(angle))


def _nice(value: float) -> float:
    """A round ceiling for an axis (1, 2, 2.5 or 5 times a power of ten)."""
    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _short_number(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def _dash(dash: bool) -> str:
    return ' stroke-dasharray="6 4"' if dash else ""


def _svg_mark(mark: Mark) -> str:
    x, y = mark.x, mark.y
    if mark.kind == "square":
        return (
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" '
            f'stroke="{mark.tone}" stroke-width="2"/>'
        )
    if mark.kind == "triangle":
        points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"
        return f'<polygon points="{points}" fill="{mark.tone}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{mark.tone}"/>'
