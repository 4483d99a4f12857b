"""Locked grades: the record a certificate rests on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_list


class GradeSnapshot(SQLModel, table=True):
    """A computed grade; once locked it is the record: scheme, instrument versions, counted ids, result."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=60)
    locked: bool = False
    scheme_key: str = Field(max_length=100)
    scheme_definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    instrument_versions: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    counted_ids: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zlib of sorted int64 ids
    counted_sha256: str = Field(max_length=64)
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    certificate_token: str | None = Field(default=None, index=True, unique=True, max_length=40)
    certificate_number: str = Field(default="", max_length=40)
    certificate_status: str = Field(default="", max_length=12)  # valid | suspended | withdrawn ("" if none)
    status_changed_at: datetime | None = None
    status_changed_by: str = Field(default="", max_length=60)
    status_reason: str = Field(default="", max_length=1000)
    valid_until: datetime | None = None
    reopened_at: datetime | None = None
    reopened_by: str = Field(default="", max_length=60)
    reopen_reason: str = Field(default="", max_length=1000)
    counted_visits: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    checkpoint: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )  # audit, signed
    snapshot_sha256: str = Field(default="", max_length=64)  # SHA-256 of the canonical signed document
    certificate_jws: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status_jws: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
