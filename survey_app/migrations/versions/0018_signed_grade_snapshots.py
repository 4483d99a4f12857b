"""locked grades signed: the audit checkpoint taken at the lock, the snapshot as a JWS, its status as another

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gradesnapshot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "snapshot_sha256",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("certificate_jws", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("status_jws", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("gradesnapshot", schema=None) as batch_op:
        for name in ("status_jws", "certificate_jws", "snapshot_sha256", "checkpoint"):
            batch_op.drop_column(name)
