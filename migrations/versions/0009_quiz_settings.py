"""learner quiz settings, retired topics (issue 16): whether questions on retired tools
(Docker Machine, Toolbox, Kitematic, Docker Cloud, Datacenter) enter the review queue

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # No row means the default: retired topics stay out of the queue.
    op.create_table(
        'quiz_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('include_retired', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('quiz_settings')
