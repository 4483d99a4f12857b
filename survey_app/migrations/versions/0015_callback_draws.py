"""callback draws: the first and every further draw, each with who, when, seed, size and reason

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callbackdraw",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("drawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "number"),
    )
    op.create_index(op.f("ix_callbackdraw_campaign_id"), "callbackdraw", ["campaign_id"], unique=False)
    # the draws made before: one row each, numbered in the order they were drawn (who drew them is in the
    # audit log; the reason was not asked for then)
    conn = op.get_bind()
    found = conn.execute(
        sa.text(
            "SELECT campaign_id, draw_id, min(seed), count(*), "
            "sum(CASE WHEN kind = 'flagged' THEN 1 ELSE 0 END), min(drawn_at) "
            "FROM callbackpick GROUP BY campaign_id, draw_id ORDER BY campaign_id, min(drawn_at), draw_id"
        )
    ).all()
    numbers: dict[int, int] = {}
    for campaign_id, draw_id, seed, size, flagged, drawn_at in found:
        numbers[campaign_id] = numbers.get(campaign_id, 0) + 1
        conn.execute(
            sa.text(
                "INSERT INTO callbackdraw "
                "(id, campaign_id, number, seed, size, flagged, actor, reason, drawn_at) "
                "VALUES (:id, :c, :n, :seed, :size, :flagged, '', '', :at)"
            ),
            {
                "id": draw_id,
                "c": campaign_id,
                "n": numbers[campaign_id],
                "seed": seed,
                "size": size,
                "flagged": flagged,
                "at": drawn_at,
            },
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_callbackdraw_campaign_id"), table_name="callbackdraw")
    op.drop_table("callbackdraw")
