"""resident photos: a lead may allow the anonymous survey's photo questions (campaign.resident_photos)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 18:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("resident_photos", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("resident_photos")
