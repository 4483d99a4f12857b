"""SQLModel table of background jobs a person waits for: all posters as one PDF, big exports, analysis PDF."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_dict


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """One piece of heavy work asked for by a lead auditor, run by the job worker; its file is kept in the
    content-addressed blob table, so any app instance can hand it out."""

    __table_args__ = (Index("ix_job_state_created", "state", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    kind: str = Field(max_length=40)
    params: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    locale: str = Field(default="zh_CN", max_length=10)
    state: str = Field(default=JobState.QUEUED, max_length=10)
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str = Field(default="", max_length=500)  # an error code when it failed
    filename: str = Field(default="", max_length=120)
    result_sha256: str | None = Field(default=None, foreign_key="blob.sha256", max_length=64)
