"""The hash-chained audit log and its chain heads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_dict


class AuditLog(SQLModel, table=True):
    """Append-only, hash-chained record of every state change, reveal, export and failed login.

    Each campaign has its own chain (`chain` = campaign id); events outside a campaign (accounts, logins)
    use chain 0. `hash` is SHA-256 over the previous row's hash and this row's canonical content, so any
    edited, deleted or reordered row breaks the chain; `mac` is an HMAC of that hash with a key kept outside
    the database (`key_id` names it), so a row re-hashed or forged by someone who can only write the database
    does not verify (`python -m survey_app audit verify`).
    """

    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    chain: int = Field(index=True)
    seq: int
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=60)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    subject: str = Field(default="", max_length=120, index=True)
    old: str = Field(default="", max_length=60)
    new: str = Field(default="", max_length=60)
    reason: str = Field(default="", max_length=1000)
    detail: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    mac: str = Field(default="", max_length=64)
    key_id: str = Field(default="", max_length=16)


class AuditHead(SQLModel, table=True):
    """The last row of each audit chain; appends lock it, so concurrent writers cannot fork a chain. It is
    signed (Ed25519, the keyring's current key) at every commit, so the end of a chain cannot be cut off or
    extended by someone without the key."""

    chain: int = Field(primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)
    signature: str = Field(default="", max_length=100)
    key_id: str = Field(default="", max_length=16)
