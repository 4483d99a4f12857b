"""Find a CJK font: the MINGCHA_CJK_FONT setting, the bundled Noto Sans SC subset, then system fonts."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

BUNDLED = Path(__file__).resolve().parent.parent / "assets" / "fonts"
SYSTEM = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class FontMissing(RuntimeError):
    """No font with Chinese glyphs could be found."""


def font_paths(setting: str = "", weight: str = "Regular") -> list[Path]:
    """Candidate fonts in search order (existing files only)."""
    candidates = [Path(setting)] if setting else []
    candidates.append(BUNDLED / f"NotoSansSC-{weight}-GB2312.otf")
    candidates += [Path(p.format(weight=weight)) for p in SYSTEM]
    return [p for p in candidates if p.is_file()]


@functools.lru_cache(maxsize=64)
def load(size: int, bold: bool = False, setting: str = "") -> ImageFont.FreeTypeFont:
    """The first usable CJK font at `size` pixels; a clear error when there is none."""
    for path in font_paths(setting, "Bold" if bold else "Regular"):
        try:
            index = (
                2 if path.suffix == ".ttc" and "Noto" in path.name else 0
            )  # SC face inside Noto CJK collections
            return ImageFont.truetype(str(path), size, index=index)
        except OSError:
            continue
    raise FontMissing(
        "No CJK font found for posters: set MINGCHA_CJK_FONT to a .ttf/.otf/.ttc with Chinese glyphs "
        "(Debian: apt-get install fonts-noto-cjk)."
    )


def covers(font: ImageFont.FreeTypeFont, text: str) -> bool:
    """Whether every character of `text` has a glyph in `font`: a missing one draws the .notdef box,
    the same image as a private-use character no font maps."""
    notdef = bytes(font.getmask("\ue000"))
    return all(ch.isspace() or bytes(font.getmask(ch)) != notdef for ch in set(text))
