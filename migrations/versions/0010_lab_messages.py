"""lab attempts in both languages, review-queue marks (issue 15, learners)

Check messages and hints in both languages live inside the existing `checks` JSON (no column);
`review_queue` records what a failed attempt added to the learner's review queue, or what a
passing attempt took back out.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lab_attempts") as batch:
        batch.add_column(sa.Column("review_queue", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("lab_attempts") as batch:
        batch.drop_column("review_queue")
