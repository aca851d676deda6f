"""spec entries and ad copy

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spec_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spec_id', sa.String(length=100), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spec_entries')),
    sa.UniqueConstraint('spec_id', name=op.f('uq_spec_entries_spec_id'))
    )
    op.create_table('ad_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=60), nullable=True),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_ad_copy_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_copy'))
    )
    with op.batch_alter_table('ad_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_copy_campaign_id'), ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ad_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_copy_campaign_id'))
    op.drop_table('ad_copy')
    op.drop_table('spec_entries')
