"""findings: what an audit found, its criterion, deadline and correction, closed by the certifier

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("type", _text(20), nullable=False),
        sa.Column("criterion_source", _text(30), nullable=False),
        sa.Column("criterion_other", _text(200), nullable=False),
        sa.Column("clause", _text(200), nullable=False),
        sa.Column("description", _text(2000), nullable=False),
        sa.Column("evidence", _text(2000), nullable=False),
        sa.Column("origin", _text(120), nullable=False),
        sa.Column("state", _text(20), nullable=False),
        sa.Column("deadline", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("raised_by", _text(60), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("root_cause", _text(2000), nullable=False),
        sa.Column("correction", _text(2000), nullable=False),
        sa.Column("corrective_action", _text(2000), nullable=False),
        sa.Column("closing_note", _text(2000), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "number"),
    )
    op.create_index(op.f("ix_finding_campaign_id"), "finding", ["campaign_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_finding_campaign_id"), table_name="finding")
    op.drop_table("finding")
