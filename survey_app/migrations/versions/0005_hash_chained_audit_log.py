"""hash-chained audit log, audit chain heads, reopening a locked grade

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    # the first audit table was never written to: replace it by the chained one
    op.drop_index("ix_auditlog_at", table_name="auditlog")
    op.drop_table("auditlog")
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("old", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("new", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chain", "seq"),
    )
    op.create_index(op.f("ix_auditlog_chain"), "auditlog", ["chain"], unique=False)
    op.create_index(op.f("ix_auditlog_campaign_id"), "auditlog", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_auditlog_subject"), "auditlog", ["subject"], unique=False)
    op.create_table(
        "audithead",
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain"),
    )
    with op.batch_alter_table("gradesnapshot") as batch:
        batch.add_column(sa.Column("reopened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "reopened_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=""
            )
        )
        batch.add_column(
            sa.Column(
                "reopen_reason",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("gradesnapshot") as batch:
        batch.drop_column("reopen_reason")
        batch.drop_column("reopened_by")
        batch.drop_column("reopened_at")
    op.drop_table("audithead")
    op.drop_index(op.f("ix_auditlog_subject"), table_name="auditlog")
    op.drop_index(op.f("ix_auditlog_campaign_id"), table_name="auditlog")
    op.drop_index(op.f("ix_auditlog_chain"), table_name="auditlog")
    op.drop_table("auditlog")
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auditlog_at", "auditlog", ["at"], unique=False)
