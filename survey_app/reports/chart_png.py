"""A chart (`survey_app.reports.charts`) written out as a PNG for the PDF and Word reports: the same shapes as
the SVG on pages, drawn with Pillow and a CJK font."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from survey_app.posters.fonts import load
from survey_app.reports.charts import ACCENT, INK, SECOND, Chart, Line, Mark, Shape


def png(chart: Chart, *, scale: float = 3.0, font_setting: str = "") -> bytes:
    """The same chart as a PNG (for the PDF and Word reports), `scale` pixels per unit."""
    w, h = int(chart.width * scale), int(chart.height * scale)
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)

    def p(x: float, y: float) -> tuple[float, float]:
        return ((x - chart.left) * scale, (y - chart.top) * scale)

    for shape in chart.shapes:
        if isinstance(shape, Line):
            _png_line(draw, p(shape.x1, shape.y1), p(shape.x2, shape.y2), shape, scale)
        elif isinstance(shape, Shape):
            points = [p(x, y) for x, y in shape.points]
            if shape.closed and shape.fill != "none" and len(points) > 2:
                _png_fill(image, points, shape.fill, scale)
            ring = [*points, points[0]] if shape.closed else points
            for a, b in zip(ring, ring[1:], strict=False):
                _png_line(draw, a, b, shape, scale)
        elif isinstance(shape, Mark):
            x, y = p(shape.x, shape.y)
            r = 5 * scale
            box = (x - r, y - r, x + r, y + r)
            if shape.kind == "square":
                draw.rectangle(box, fill="white", outline=shape.tone, width=int(2 * scale))
            elif shape.kind == "triangle":
                draw.polygon([(x, y - r), (x + r, y + r), (x - r, y + r)], fill=shape.tone)
            else:
                draw.ellipse(box, fill=shape.tone)
        else:
            font = load(int(shape.size * scale), shape.bold, font_setting)
            x, y = p(shape.x, shape.y)
            width = font.getlength(shape.text)
            x -= {"middle": width / 2, "end": width}.get(shape.anchor, 0)
            draw.text((x, y), shape.text, font=font, fill=INK, anchor="ls")
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _png_line(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    shape: Line | Shape,
    scale: float,
) -> None:
    width = max(1, int(shape.width * scale))
    if not shape.dash:
        draw.line([a, b], fill=shape.tone, width=width)
        return
    length = math.dist(a, b)
    on, off = 6 * scale, 4 * scale
    t = 0.0
    while t < length:
        t2 = min(length, t + on)
        p1 = (a[0] + (b[0] - a[0]) * t / length, a[1] + (b[1] - a[1]) * t / length)
        p2 = (a[0] + (b[0] - a[0]) * t2 / length, a[1] + (b[1] - a[1]) * t2 / length)
        draw.line([p1, p2], fill=shape.tone, width=width)
        t += on + off


def _png_fill(image: Image.Image, points: list[tuple[float, float]], fill: str, scale: float) -> None:
    """A hatched (or dotted, or light) fill inside the polygon, drawn through a mask."""
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(points, fill=255)
    layer = Image.new("RGB", image.size, "#dce4f2" if fill == "hatch" else "white")
    pen = ImageDraw.Draw(layer)
    step = int(8 * scale)
    if fill == "hatch":
        for k in range(-image.size[1], image.size[0], step):
            pen.line([(k, image.size[1]), (k + image.size[1], 0)], fill=ACCENT, width=max(1, int(2 * scale)))
    elif fill == "dots":
        for x in range(0, image.size[0], step):
            for y in range(0, image.size[1], step):
                pen.ellipse((x, y, x + 2 * scale, y + 2 * scale), fill=SECOND)
    else:
        layer = Image.new("RGB", image.size, "#e8edf5")
    image.paste(layer, (0, 0), mask)
