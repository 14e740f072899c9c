"""accounts hardening (issue 12): case-insensitive user names, ... (filled in by the accounts work)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
