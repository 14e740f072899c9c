"""own-machine check codes (issue 14): one code per pasted command, for one learner and one lab

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('own_machine_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_own_machine_codes_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attempt_id'], ['lab_attempts.id'], name=op.f('fk_own_machine_codes_attempt_id_lab_attempts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_own_machine_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_own_machine_codes_code_hash'))
    )
    with op.batch_alter_table('own_machine_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_own_machine_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('own_machine_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_own_machine_codes_user_id'))
    op.drop_table('own_machine_codes')
