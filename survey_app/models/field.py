"""SQLModel tables of field work: visits, each auditor's sheet, evidence photos and the file store."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_dict, empty_list


class VisitMode(StrEnum):
    COVERT = "covert"  # mystery shopper: covert items first, open items only after check-out
    OPEN = "open"  # open evaluation or management audit, scored on the spot
    INTERVIEW = "interview"  # a round of face-to-face or phone interviews (responses, not a sheet)


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    FINAL = "final"  # every sheet submitted and (for two raters) reconciled: the final score counts
    CANCELLED = "cancelled"


class Visit(SQLModel, table=True):
    """A field assignment: where, which instrument, when, covert or open, and (once final) the score that
    counts. Each assigned auditor has a sheet of their own (`Sheet`)."""

    __table_args__ = (Index("ix_visit_campaign_window", "campaign_id", "window_start"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    instrument_version_id: int = Field(foreign_key="instrumentversion.id")
    mode: str = Field(max_length=12)
    window_start: datetime
    window_end: datetime
    writeup_hours: int = 48
    status: str = Field(default=VisitStatus.SCHEDULED, max_length=12)
    note: str = Field(default="", max_length=1000)
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    cancelled_by: str = Field(default="", max_length=60)
    cancel_reason: str = Field(default="", max_length=1000)
    final_answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    final_codes: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    final_by: str = Field(default="", max_length=60)
    final_at: datetime | None = None
    final_note: str = Field(default="", max_length=2000)
    finding_id: int | None = Field(default=None, foreign_key="finding.id")  # a follow-up visit verifies it


class Sheet(SQLModel, table=True):
    """One auditor's own record of a visit: check-in and check-out (server and device time), position,
    step notes and answers. Blind: the other rater cannot open it until both have submitted."""

    __table_args__ = (UniqueConstraint("visit_id", "auditor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    auditor_id: int = Field(foreign_key="user.id", index=True)
    answers: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    notes: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    checkin_at: datetime | None = None
    checkin_device_at: datetime | None = None
    checkout_at: datetime | None = None
    checkout_device_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    submitted_at: datetime | None = None
    submit_key: str | None = Field(default=None, max_length=80)
    after_cancel: bool = False  # sent after the visit was cancelled: kept for the lead auditor, not counted
    cancelled_at: datetime | None = None  # its auditor left the campaign's team: kept, marked, not counted
    cancel_reason: str = Field(default="", max_length=300)


class Blob(SQLModel, table=True):
    """File bytes stored once by content hash (evidence originals, display copies, thumbnails)."""

    sha256: str = Field(primary_key=True, max_length=64)
    media_type: str = Field(max_length=60)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Evidence(SQLModel, table=True):
    """A photo or receipt attached to an auditor's sheet, with what its EXIF says and any flags."""

    __table_args__ = (UniqueConstraint("sheet_id", "original_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    sheet_id: int = Field(foreign_key="sheet.id", index=True)
    original_sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    display_sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    thumb_sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    caption: str = Field(default="", max_length=500)
    filename: str = Field(default="", max_length=200)
    width: int = 0
    height: int = 0
    exif_time: datetime | None = None
    exif_latitude: float | None = None
    exif_longitude: float | None = None
    phash: str = Field(default="", max_length=32, index=True)
    flags: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow)
