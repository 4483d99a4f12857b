"""a keyed audit log: an HMAC on every row, a signature on every chain head

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 11:00:00

Rows and heads written before this revision are sealed by `migrate` with the keyring (survey_app.migrate).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.add_column(_text("mac", 64))
        batch_op.add_column(_text("key_id", 16))
    with op.batch_alter_table("audithead", schema=None) as batch_op:
        batch_op.add_column(_text("signature", 100))
        batch_op.add_column(_text("key_id", 16))


def downgrade() -> None:
    with op.batch_alter_table("audithead", schema=None) as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("signature")
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("mac")
