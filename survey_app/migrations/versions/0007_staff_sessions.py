"""server-side staff sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_staffsession_token_hash"), "staffsession", ["token_hash"], unique=True)
    op.create_index(op.f("ix_staffsession_user_id"), "staffsession", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staffsession_user_id"), table_name="staffsession")
    op.drop_index(op.f("ix_staffsession_token_hash"), table_name="staffsession")
    op.drop_table("staffsession")
