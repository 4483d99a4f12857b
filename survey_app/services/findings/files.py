"""Evidence the organisation attaches to a finding's correction (photos of the fix, reports as PDF), through
the same checks as the auditors' photos: a size limit, decoded before anything is kept, photos re-encoded so
that their metadata (GPS, device) never leaves with them. PDFs are checked to be PDFs. Nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from survey_app.errors import Conflict, Invalid, NotFound, TooLarge
from survey_app.models import Blob, Finding, FindingFile, ident
from survey_app.services import audit
from survey_app.services.field.evidence import put_blob
from survey_app.services.field.photos import read_photo
from survey_app.services.findings.register import FINISHED

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 20  # per finding


def attach(*, session: Session, finding: Finding, data: bytes, filename: str, actor: str) -> FindingFile:
    """Keep one file; refused (stored nothing) when empty, too large, neither a photo nor a PDF, or the
    finding is already finished."""
    if finding.state in FINISHED:
        raise Conflict("finding_wrong_state")
    if not data:
        raise Invalid("finding_file_empty")
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge("finding_file_too_large")
    if len(files_of(session=session, finding=finding)) >= MAX_FILES:
        raise Conflict("finding_file_too_many")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise Invalid("finding_file_broken")
        kept, media_type = data, "application/pdf"
    else:
        try:
            photo = read_photo(data)
        except TooLarge:
            raise TooLarge("finding_file_too_large") from None
        except Invalid:
            raise Invalid("finding_file_kind") from None
        kept, media_type = photo.display, "image/jpeg"
    row = FindingFile(
        finding_id=ident(finding),
        sha256=put_blob(session=session, data=kept, media_type=media_type),
        filename=(filename or "").replace("/", "_").replace("\\", "_").strip()[:200],
        media_type=media_type,
        size=len(kept),
        uploaded_by=actor[:60],
    )
    session.add(row)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="finding.attach",
        campaign_id=finding.campaign_id,
        subject=f"finding:{finding.number}",
        detail={"file": row.filename, "sha256": row.sha256[:16]},
    )
    return row


def files_of(*, session: Session, finding: Finding) -> list[FindingFile]:
    query = select(FindingFile).where(FindingFile.finding_id == finding.id).order_by(col(FindingFile.id))
    return list(session.exec(query))


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    media_type: str


def open_file(*, session: Session, finding: Finding, file_id: int) -> Download:
    row = session.get(FindingFile, file_id)
    blob = session.get(Blob, row.sha256) if row is not None and row.finding_id == finding.id else None
    if row is None or blob is None:
        raise NotFound("not_found")
    name = row.filename or f"finding-{finding.number}-{row.id}"
    return Download(blob.data, name, row.media_type)
