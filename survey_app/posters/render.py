"""Draw an A4 poster with Pillow (PNG for one location, a multi-page PDF for a campaign)."""

from __future__ import annotations

import io

import numpy as np
import segno
from PIL import Image, ImageDraw

from survey_app.posters.content import PosterText
from survey_app.posters.fonts import covers, load

DPI = 150
A4 = (int(8.27 * DPI), int(11.69 * DPI))  # 1240 x 1754 px
MARGIN = 90
BRAND = (11, 61, 145)


def qr_image(url: str, size: int) -> Image.Image:
    """A QR code (error level M, 4-module quiet zone) scaled to about `size` pixels, crisp edges."""
    qr = segno.make(url, error="m")
    matrix = np.array([list(row) for row in qr.matrix], dtype=bool)
    matrix = np.pad(matrix, 4)
    scale = max(1, size // matrix.shape[0])
    pixels = np.where(np.kron(matrix, np.ones((scale, scale), dtype=bool)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, mode="L")


def _font(size: int, text: str, bold: bool, setting: str):  # type: ignore[no-untyped-def]
    font = load(size, bold, setting)
    if not covers(font, text):  # a rare character outside the bundled subset: try the next fonts
        from PIL import ImageFont

        from survey_app.posters.fonts import font_paths

        for path in font_paths(setting, "Bold" if bold else "Regular")[1:]:
            candidate = ImageFont.truetype(str(path), size, index=2 if path.suffix == ".ttc" else 0)
            if covers(candidate, text):
                return candidate
    return font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Break at any character for CJK and at spaces for Latin text."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        trial = line + token
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line:
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        out.append(ch)
    if word:
        out.append(word)
    return out


def draw_poster(text: PosterText, *, font_setting: str = "", mode: str = "RGB") -> Image.Image:
    """One A4 page: heading band, title, purpose, requirements, deadline, QR code and the written URL."""
    page = Image.new(mode, A4, "white")
    draw = ImageDraw.Draw(page)
    width = A4[0] - 2 * MARGIN
    ink = (17, 17, 17) if mode == "RGB" else 0
    band = BRAND if mode == "RGB" else 40
    draw.rectangle([0, 0, A4[0], 150], fill=band)
    f = _font(46, text.heading, True, font_setting)
    draw.text((MARGIN, 48), text.heading, font=f, fill="white" if mode == "RGB" else 255)
    y = 200
    for content, size, bold, gap in (
        (text.title, 60, True, 6),
        (text.subtitle, 36, True, 14),
        (text.location, 32, False, 26),
    ):
        f = _font(size, content, bold, font_setting)
        for line in _wrap(draw, content, f, width):
            draw.text((MARGIN, y), line, font=f, fill=ink)
            y += int(size * 1.3)
        y += gap
    y = _paragraph(draw, text.purpose, 32, False, y, width, ink, font_setting) + 24
    y = _paragraph(draw, text.requirements_title, 38, True, y, width, ink, font_setting) + 6
    for n, item in enumerate(text.requirements, start=1):
        y = _paragraph(draw, f"{n}. {item}", 32, False, y, width, ink, font_setting) + 4
    y += 18
    y = _paragraph(draw, text.deadline_line, 38, True, y, width, ink, font_setting) + 30
    qr_size = min(620, A4[1] - y - 330)
    qr = qr_image(text.url, qr_size)
    page.paste(qr if mode == "L" else qr.convert(mode), ((A4[0] - qr.width) // 2, y))
    y += qr.height + 14
    for content, size, bold in ((text.scan, 40, True), (text.url_label, 28, False), (text.typed, 30, True)):
        f = _font(size, content, bold, font_setting)
        for line in _wrap(draw, content, f, width):
            draw.text(((A4[0] - draw.textlength(line, font=f)) // 2, y), line, font=f, fill=ink)
            y += int(size * 1.35)
    f = _font(24, text.footer, False, font_setting)
    draw.text((MARGIN, A4[1] - 70), text.footer, font=f, fill=(90, 90, 90) if mode == "RGB" else 90)
    return page


def _paragraph(draw, content: str, size: int, bold: bool, y: int, width: int, ink, setting: str) -> int:  # type: ignore[no-untyped-def]
    f = _font(size, content, bold, setting)
    for line in _wrap(draw, content, f, width):
        draw.text((MARGIN, y), line, font=f, fill=ink)
        y += int(size * 1.45)
    return y


def png_bytes(text: PosterText, *, font_setting: str = "") -> bytes:
    buf = io.BytesIO()
    draw_poster(text, font_setting=font_setting).save(buf, format="PNG", optimize=True, dpi=(DPI, DPI))
    return buf.getvalue()


def pdf_bytes(texts: list[PosterText], *, font_setting: str = "") -> bytes:
    """All posters as one PDF, one A4 page each. Pages are bilevel (stored with fax compression, about 15 KB
    each instead of 190 KB as grayscale JPEG): crisp text and QR modules, 240 posters in a few MB."""
    pages = [_bilevel(draw_poster(t, font_setting=font_setting, mode="L")) for t in texts]
    buf = io.BytesIO()
    if not pages:
        return b""
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return buf.getvalue()


def _bilevel(page: Image.Image) -> Image.Image:
    return page.point(lambda v: 255 if v > 150 else 0, mode="1")
