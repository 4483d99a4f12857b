"""Evidence photos: orientation, EXIF time and GPS, and the perceptual hash (fixtures made with Pillow)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw

from survey_app.errors import Invalid, TooLarge
from survey_app.services.field.photos import MAX_PHOTO_BYTES, read_photo, same_photo


def scene(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    image = Image.new("RGB", size, (230, 230, 220))
    draw = ImageDraw.Draw(image)
    w, h = size
    for n in range(12):
        k = (seed * 7919 + n * 104729) % 1000
        box = (k % w // 2, (k * 3) % h // 2, k % w // 2 + w // 4, (k * 3) % h // 2 + h // 4)
        draw.rectangle(box, fill=((k * 5) % 255, (k * 11) % 255, (k * 17) % 255))
    return image


def jpeg(image: Image.Image, exif: Image.Exif | None = None, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def test_orientation_time_and_gps_are_read() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif.get_ifd(0x8769)[36867] = "2026:11:20 10:15:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (24.0, 30.0, 0.0), "W", (118.0, 10.0, 30.0)
    photo = read_photo(jpeg(scene(1, (1600, 1200)), exif), zone="Asia/Shanghai")
    assert (photo.width, photo.height) == (1200, 1600), "orientation applied: portrait"
    assert photo.taken_at == datetime(2026, 11, 20, 2, 15, tzinfo=UTC), "local EXIF time read in the zone"
    assert photo.latitude == pytest.approx(24.5) and photo.longitude == pytest.approx(-118.175)
    display = Image.open(io.BytesIO(photo.display))
    assert max(display.size) <= 1600 and max(Image.open(io.BytesIO(photo.thumb)).size) <= 320
    assert not display.getexif(), "the display copy carries no EXIF (the original keeps it)"


def test_exif_offset_is_honoured_and_missing_exif_is_none() -> None:
    exif = Image.Exif()
    details = exif.get_ifd(0x8769)
    details[36867], details[36881] = "2026:11:20 10:15:00", "+01:00"
    assert read_photo(jpeg(scene(2), exif)).taken_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    plain = read_photo(jpeg(scene(2)))
    assert plain.taken_at is None and plain.latitude is None


def test_perceptual_hash_matches_resized_recompressed_not_another_photo() -> None:
    original = read_photo(jpeg(scene(3)))
    smaller = scene(3).resize((600, 450))
    again = read_photo(jpeg(smaller, quality=40))
    other = read_photo(jpeg(scene(4)))
    assert original.sha256 != again.sha256
    assert same_photo(original.phash, again.phash)
    assert not same_photo(original.phash, other.phash)


def test_bad_files_get_clear_errors() -> None:
    with pytest.raises(Invalid) as not_image:
        read_photo(b"%PDF-1.7 not a picture")
    assert not_image.value.code == "photo_not_image"
    with pytest.raises(Invalid) as broken:
        read_photo(jpeg(scene(5))[:600])
    assert broken.value.code == "photo_broken"
    with pytest.raises(TooLarge):
        read_photo(b"\xff" * (MAX_PHOTO_BYTES + 1))
