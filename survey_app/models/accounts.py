"""Staff accounts, their sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_list


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    FIELD = "field"
    REVIEWER = "reviewer"  # takes certification decisions (never on a campaign's own audit team)
    AUDITEE = "auditee"  # an account of an audited organisation: its own findings only


class User(SQLModel, table=True):
    """An account: admins manage schemes and users, lead auditors run campaigns, field auditors collect."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=60)
    display_name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=200)
    roles: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    must_change_password: bool = False  # set by an admin's reset: the next login asks for a new one
    email: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))


class StaffSession(SQLModel, table=True):
    """A logged-in staff session, kept on the server so that logout, a password change or an admin ends it at
    once (the signed cookie only carries its random id)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ended_by: str = Field(default="", max_length=60)
    user_agent: str = Field(default="", max_length=200)


class ApiToken(SQLModel, table=True):
    """A read-only API token of one user, shown once and stored as its SHA-256, optionally limited to some
    campaigns; revocable; its last use is recorded (at most once a minute)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    campaign_ids: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=60)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str = Field(default="", max_length=60)
