"""self-reported lab attempts (issue 12): per-class setting whether they count as passed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Off for every existing class: a self-reported pass stops counting until an instructor
    # chooses otherwise (security review 2026-12, finding 2).
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_reports_count', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('self_reports_count')
