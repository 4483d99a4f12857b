"""indexes for scoring a response with its neighbourhood: a network, a poster's ten minutes, a device

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_response_campaign_ip", ["campaign_id", "ip_hash", "submitted_at"], unique=False
        )
        batch_op.create_index("ix_response_location_submitted", ["location_id", "submitted_at"], unique=False)
        batch_op.create_index("ix_response_campaign_client", ["campaign_id", "client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_campaign_client")
        batch_op.drop_index("ix_response_location_submitted")
        batch_op.drop_index("ix_response_campaign_ip")
