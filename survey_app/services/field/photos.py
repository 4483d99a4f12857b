"""Evidence photos: check the bytes are an image, fix orientation, make a display copy and a thumbnail, read
EXIF capture time and GPS, and a perceptual hash that survives resizing and recompression (imagehash)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import imagehash
from PIL import Image, ImageOps, UnidentifiedImageError

from survey_app.errors import Invalid, TooLarge

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a larger "photo" is a decompression bomb, not a phone picture
DISPLAY_SIDE = 1600
THUMB_SIDE = 320
SAME_PHOTO_BITS = 8  # of 64: at most this many differing bits of the perceptual hash is "the same photo"
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_ORIGINAL, DATETIME = 36867, 36881, 306


@dataclass(frozen=True)
class Photo:
    original: bytes
    media_type: str
    display: bytes  # JPEG, orientation applied, longest side <= DISPLAY_SIDE, no EXIF
    thumb: bytes
    width: int
    height: int
    taken_at: datetime | None  # aware; local EXIF time read in the campaign's zone when it has no offset
    latitude: float | None
    longitude: float | None
    phash: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.original).hexdigest()


def read_photo(data: bytes, *, zone: str = "Asia/Shanghai") -> Photo:
    """Check and process one uploaded photo; raise TooLarge or Invalid with a message code."""
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge("photo_too_large")
    if not data:
        raise Invalid("photo_empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise Invalid("photo_broken")
            media_type = Image.MIME.get(image.format or "", "")
            if not media_type.startswith("image/"):
                raise Invalid("photo_not_image")
            exif = image.getexif()
            image.load()
            upright = ImageOps.exif_transpose(image)
    except UnidentifiedImageError:
        raise Invalid("photo_not_image") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("photo_broken") from None
    upright = upright.convert("RGB")
    lat, lon = _gps(exif)
    return Photo(
        original=data,
        media_type=media_type,
        display=_jpeg(upright, DISPLAY_SIDE, 85),
        thumb=_jpeg(upright, THUMB_SIDE, 75),
        width=upright.width,
        height=upright.height,
        taken_at=_taken_at(exif, zone),
        latitude=lat,
        longitude=lon,
        phash=str(imagehash.phash(upright)),
    )


def same_photo(first: str, second: str) -> bool:
    """Whether two perceptual hashes (hex) are close enough to be one picture resized or recompressed."""
    try:
        return imagehash.hex_to_hash(first) - imagehash.hex_to_hash(second) <= SAME_PHOTO_BITS
    except ValueError:
        return False


def _jpeg(image: Image.Image, side: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _taken_at(exif: Image.Exif, zone: str) -> datetime | None:
    details = exif.get_ifd(EXIF_IFD)
    raw = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(OFFSET_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.strptime(f"{raw.strip()[:19]}{offset.strip()}", "%Y:%m:%d %H:%M:%S%z")
        except ValueError:
            pass
    return moment.replace(tzinfo=ZoneInfo(zone))


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(dms: tuple[Any, ...], ref: str) -> float:
    value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
    return -value if str(ref).upper() in ("S", "W") else value
