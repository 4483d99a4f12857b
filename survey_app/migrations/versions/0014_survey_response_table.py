"""the stored response's table is named as its class: response -> survey_response

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# (name suffix, columns, unique): every index of the table, renamed with it
INDEXES = (
    ("campaign_id", ["campaign_id"], False),
    ("client_id", ["client_id"], False),
    ("idempotency_key", ["idempotency_key"], True),
    ("location_id", ["location_id"], False),
    ("public_id", ["public_id"], True),
    ("status", ["status"], False),
    ("campaign_score", ["campaign_id", "fraud_score", "id"], False),
    ("campaign_submitted", ["campaign_id", "submitted_at"], False),
    ("campaign_status", ["campaign_id", "status"], False),
    ("campaign_ip", ["campaign_id", "ip_hash", "submitted_at"], False),
    ("location_submitted", ["location_id", "submitted_at"], False),
    ("campaign_client", ["campaign_id", "client_id"], False),
)


def _move(old_table: str, new_table: str) -> None:
    for suffix, _columns, _unique in INDEXES:
        op.drop_index(f"ix_{old_table}_{suffix}", table_name=old_table)
    op.rename_table(old_table, new_table)  # SQLite >= 3.26 and PostgreSQL carry the foreign keys along
    for suffix, columns, unique in INDEXES:
        op.create_index(f"ix_{new_table}_{suffix}", new_table, columns, unique=unique)


def upgrade() -> None:
    _move("response", "survey_response")


def downgrade() -> None:
    _move("survey_response", "response")
