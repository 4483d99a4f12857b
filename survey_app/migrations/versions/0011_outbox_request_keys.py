"""the offline outbox's request keys

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requestkey",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("requestkey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requestkey_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("requestkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requestkey_created_at"))
    op.drop_table("requestkey")
