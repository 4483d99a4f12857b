"""after the grade: certification decisions, the organisation's evidence files, follow-up visits, surveillance
carry-over, e-mail addresses and the reminders sent

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "certificationdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", _text(40), nullable=False),
        sa.Column("decision", _text(12), nullable=False),
        sa.Column("reasons", _text(4000), nullable=False),
        sa.Column("decided_by", _text(60), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_sha256", _text(64), nullable=False),
        sa.Column("open_major", sa.Integer(), nullable=False),
        sa.Column("open_minor", sa.Integer(), nullable=False),
        sa.Column("certificate_status", _text(12), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["snapshot_id"], ["gradesnapshot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_certificationdecision_campaign_id"), "certificationdecision", ["campaign_id"], unique=False
    )
    op.create_table(
        "findingfile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("filename", _text(200), nullable=False),
        sa.Column("media_type", _text(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", _text(60), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"]),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_findingfile_finding_id"), "findingfile", ["finding_id"], unique=False)
    op.create_table(
        "sentmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", _text(200), nullable=False),
        sa.Column("subject", _text(200), nullable=False),
        sa.Column("kind", _text(20), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("day", _text(10), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "day"),
    )
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("email", _text(200), nullable=False, server_default=""))
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("carried_from", sa.Integer(), nullable=True))
    with op.batch_alter_table("visit") as batch:
        batch.add_column(sa.Column("finding_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_visit_finding_id", "finding", ["finding_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("visit") as batch:
        batch.drop_constraint("fk_visit_finding_id", type_="foreignkey")
        batch.drop_column("finding_id")
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("carried_from")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("email")
    op.drop_table("sentmessage")
    op.drop_index(op.f("ix_findingfile_finding_id"), table_name="findingfile")
    op.drop_table("findingfile")
    op.drop_index(op.f("ix_certificationdecision_campaign_id"), table_name="certificationdecision")
    op.drop_table("certificationdecision")
