"""Residents' photos on the anonymous survey, where the campaign's lead allows them (resident_photos).

A photo is read and re-encoded (a JPEG of display size, without EXIF: no place, time or phone model) and
kept as a blob. The page then carries a reference to it signed for its own form token: a reference cannot be
made up, nor carried to another form, and only the blob's key is stored with the answers."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from sqlmodel import Session

from survey_app.db import begin_writing
from survey_app.errors import Forbidden, Invalid, TooLarge
from survey_app.models import ident
from survey_app.services.field.evidence import put_blob
from survey_app.services.field.photos import read_photo
from survey_app.services.intake.form_tokens import read_form_token
from survey_app.services.intake.links import SurveyTarget

_REF = re.compile(r"^([0-9a-f]{64})\.([0-9a-f]{24})$")


def reference(secret: str, form_key: str, blob_key: str) -> str:
    """The reference a page carries for a photo it uploaded: the blob's key and a signature for this form."""
    mac = hmac.new(secret.encode(), f"resident-photo:{form_key}:{blob_key}".encode(), hashlib.sha256)
    return f"{blob_key}.{mac.hexdigest()[:24]}"


def reader(secret: str, form_key: str) -> Callable[[str], str | None]:
    """What check_answers uses on this form: a reference it issued -> the blob's key; anything else None."""

    def read(value: str) -> str | None:
        found = _REF.match(value.strip())
        if found is None:
            return None
        expected = reference(secret, form_key, found.group(1))
        return found.group(1) if hmac.compare_digest(expected, found.group(0)) else None

    return read


def attach(
    *,
    session: Session,
    secret: str,
    target: SurveyTarget,
    fields: dict[str, list[str]],
    item_key: str,
    photo: bytes,
) -> tuple[dict[str, list[str]], str]:
    """A page posted with one photo for the question `item_key` (`<item>` or `<item>.<entry>`): the fields
    with the photo's signed reference as that question's answer, and the problem code ("" for none). A page
    whose form token is no longer good gets no photo (the answer path says the form expired)."""
    item = target.instrument.item(item_key.split(".")[0])
    if not target.campaign.resident_photos or item is None or item.type != "photo":
        raise Forbidden("resident_photos_off")
    form = read_form_token(secret, (fields.get("_form") or [""])[0], ident(target.location))
    if form is None:
        return fields, ""
    if not photo:
        return fields, "photo_empty"
    try:
        blob = store(session=session, data=photo)
    except (TooLarge, Invalid) as exc:
        return fields, exc.code
    return {**fields, f"a.{item_key}": [reference(secret, form[0], blob)]}, ""


def store(*, session: Session, data: bytes) -> str:
    """Read one uploaded photo (TooLarge / Invalid with a message code when it is not one) and keep its
    re-encoded copy, without metadata; returns the blob's key."""
    photo = read_photo(data)  # before any lock: reading a photo takes a moment
    begin_writing(session=session)
    return put_blob(session=session, data=photo.display, media_type="image/jpeg")
