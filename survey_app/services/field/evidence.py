"""Photo and receipt evidence on an auditor's sheet: stored once by content hash, with EXIF time and GPS
shown beside the check-in, and flags for a capture time outside the visit window or a photo already used in
another visit. Served only to the visit's auditors (blind rules apply) and the campaign's lead auditors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from survey_app.errors import NotFound
from survey_app.models import Blob, Campaign, Evidence, Sheet, User, Visit, VisitStatus, ident
from survey_app.services import audit
from survey_app.services.campaigns.access import is_admin
from survey_app.services.campaigns.membership import member_roles
from survey_app.services.field.photos import Photo, read_photo, same_photo
from survey_app.services.field.visits import may_see_sheet

SIZES = ("thumb", "display", "original")


def put_blob(*, session: Session, data: bytes, media_type: str) -> str:
    """Store bytes once under their SHA-256 (a concurrent twin upload is fine)."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        try:
            with session.begin_nested():
                session.add(Blob(sha256=digest, media_type=media_type[:60], size=len(data), data=data))
        except IntegrityError:
            if session.get(Blob, digest) is None:
                raise
    return digest


def add_photo(
    *,
    session: Session,
    campaign: Campaign,
    visit: Visit,
    sheet: Sheet,
    data: bytes,
    filename: str,
    caption: str,
    actor: str,
) -> tuple[Evidence, bool]:
    """Process and attach one photo; the same file on the same sheet is stored once. Returns (row, new)."""
    photo = read_photo(data, zone=campaign.timezone)
    existing = session.exec(
        select(Evidence).where(Evidence.sheet_id == sheet.id, Evidence.original_sha256 == photo.sha256)
    ).first()
    if existing is not None:
        return existing, False
    row = Evidence(
        visit_id=ident(visit),
        sheet_id=ident(sheet),
        original_sha256=put_blob(session=session, data=photo.original, media_type=photo.media_type),
        display_sha256=put_blob(session=session, data=photo.display, media_type="image/jpeg"),
        thumb_sha256=put_blob(session=session, data=photo.thumb, media_type="image/jpeg"),
        caption=caption.strip()[:500],
        filename=filename.rsplit("/", 1)[-1][:200],
        width=photo.width,
        height=photo.height,
        exif_time=photo.taken_at,
        exif_latitude=photo.latitude,
        exif_longitude=photo.longitude,
        phash=photo.phash,
        flags=flags_for(session=session, visit=visit, photo=photo),
    )
    session.add(row)
    if (
        visit.status == VisitStatus.CANCELLED
    ):  # sent after a cancellation: kept for the lead auditor, not counted
        sheet.after_cancel = True
        session.add(sheet)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="evidence.add",
        campaign_id=campaign.id,
        subject=f"visit:{visit.id}",
        detail={"evidence": row.id, "sha256": photo.sha256, "flags": [f["code"] for f in row.flags]},
    )
    return row, True


def flags_for(*, session: Session, visit: Visit, photo: Photo) -> list[dict[str, object]]:
    """What a lead auditor should look at twice."""
    flags: list[dict[str, object]] = []
    if photo.taken_at is not None and not (visit.window_start <= photo.taken_at <= visit.window_end):
        flags.append({"code": "exif_outside_window", "at": photo.taken_at.isoformat()})
    others = session.exec(
        select(Evidence.visit_id, Evidence.phash).where(Evidence.visit_id != visit.id, Evidence.phash != "")
    ).all()
    reused = sorted({vid for vid, hashed in others if same_photo(hashed, photo.phash)})
    if reused:
        flags.append({"code": "photo_reused", "visits": reused[:10]})
    return flags


def of_sheets(*, session: Session, sheets: list[Sheet]) -> dict[int, list[Evidence]]:
    ids = [ident(s) for s in sheets]
    out: dict[int, list[Evidence]] = {i: [] for i in ids}
    if ids:
        for row in session.exec(
            select(Evidence).where(col(Evidence.sheet_id).in_(ids)).order_by(col(Evidence.id))
        ):
            out[row.sheet_id].append(row)
    return out


@dataclass(frozen=True)
class File:
    data: bytes
    media_type: str


def open_file(*, session: Session, user: User, evidence_id: int, size: str) -> File:
    """The bytes of one evidence file, for someone allowed to see it (else 404 / 403)."""
    row = session.get(Evidence, evidence_id)
    if row is None or size not in SIZES:
        raise NotFound("not_found")
    visit, sheet = session.get(Visit, row.visit_id), session.get(Sheet, row.sheet_id)
    if visit is None or sheet is None:
        raise NotFound("not_found")
    lead = is_admin(user) or (
        "lead" in user.roles
        and "lead" in member_roles(session=session, campaign_id=visit.campaign_id, user_id=user.id)
    )
    may_see_sheet(session=session, user=user, visit=visit, sheet=sheet, lead=lead)
    digest = {"thumb": row.thumb_sha256, "display": row.display_sha256, "original": row.original_sha256}[size]
    blob = session.get(Blob, digest)
    if blob is None:
        raise NotFound("not_found")
    return File(blob.data, blob.media_type)
