"""review desk: callback attempts, verification tasks, encrypted contacts, reason families, queue indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callbackattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("called_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_callbackattempt_campaign_id"), "callbackattempt", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_callbackattempt_response_id"), "callbackattempt", ["response_id"], unique=False)
    op.create_table(
        "verificationtask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("location_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assigned_to"], ["user.id"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_verificationtask_campaign_id"), "verificationtask", ["campaign_id"], unique=False
    )
    with op.batch_alter_table("response") as batch:
        batch.alter_column(
            "contact_phone",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
            type_=sqlmodel.sql.sqltypes.AutoString(length=400),
            existing_nullable=True,
        )
        batch.add_column(
            sa.Column(
                "fraud_families",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch.create_index("ix_response_campaign_score", ["campaign_id", "fraud_score", "id"], unique=False)
        batch.create_index("ix_response_campaign_submitted", ["campaign_id", "submitted_at"], unique=False)
        batch.create_index("ix_response_campaign_status", ["campaign_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_index("ix_response_campaign_status")
        batch.drop_index("ix_response_campaign_submitted")
        batch.drop_index("ix_response_campaign_score")
        batch.drop_column("fraud_families")
        batch.alter_column(
            "contact_phone",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=400),
            type_=sqlmodel.sql.sqltypes.AutoString(length=40),
            existing_nullable=True,
        )
    op.drop_index(op.f("ix_verificationtask_campaign_id"), table_name="verificationtask")
    op.drop_table("verificationtask")
    op.drop_index(op.f("ix_callbackattempt_response_id"), table_name="callbackattempt")
    op.drop_index(op.f("ix_callbackattempt_campaign_id"), table_name="callbackattempt")
    op.drop_table("callbackattempt")
