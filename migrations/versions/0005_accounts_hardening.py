"""accounts hardening (issue 12): case-insensitive user names

A unique index on lower(username), so `Alice` cannot register beside `alice`. Names that already
differ only in case stop the upgrade with a list of them: which account keeps the name is the
operator's decision (rename one with SQL, then run the upgrade again), not the migration's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    clashes = op.get_bind().execute(sa.text(
        "SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1 "
        "ORDER BY lower(username)")).scalars().all()
    if clashes:
        raise RuntimeError(
            "Cannot make user names case-insensitive: these names differ only in case: "
            + ", ".join(clashes) + ". Rename all but one of each "
            "(e.g. UPDATE users SET username = 'alice2' WHERE username = 'Alice'), then upgrade "
            "again.")
    op.create_index('uq_users_lower_username', 'users', [sa.text('lower(username)')],
                    unique=True)


def downgrade():
    op.drop_index('uq_users_lower_username', table_name='users')
