"""the instrument versions each campaign served; bundled instruments read-only, uploaded ones owned

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "servedinstrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["instrument_version_id"], ["instrumentversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_servedinstrument_campaign_id"), "servedinstrument", ["campaign_id"])
    with op.batch_alter_table("instrumentversion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bundled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_instrumentversion_owner_id_user", "user", ["owner_id"], ["id"])
    # every campaign has served its current version since it was created (what it served before is unknown)
    op.execute(
        "INSERT INTO servedinstrument (campaign_id, instrument_version_id, since) "
        "SELECT id, survey_instrument_id, created_at FROM campaign"
    )


def downgrade() -> None:
    with op.batch_alter_table("instrumentversion", schema=None) as batch_op:
        batch_op.drop_constraint("fk_instrumentversion_owner_id_user", type_="foreignkey")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("bundled")
    op.drop_index(op.f("ix_servedinstrument_campaign_id"), table_name="servedinstrument")
    op.drop_table("servedinstrument")
