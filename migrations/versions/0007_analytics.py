"""analytics: imported performance reports (import_batches), their daily facts (ad_facts) and
the facts added up by campaign and day (campaign_days)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('rows_added', sa.Integer(), nullable=False),
    sa.Column('rows_replaced', sa.Integer(), nullable=False),
    sa.Column('rows_skipped', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_file_sha256'), ['file_sha256'], unique=False)
    op.create_table('ad_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=False),
    sa.Column('campaign', sa.String(length=300), nullable=False),
    sa.Column('ad_group', sa.String(length=300), nullable=False),
    sa.Column('ad', sa.String(length=300), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('spend', sa.Float(), nullable=False),
    sa.Column('impressions', sa.Float(), nullable=True),
    sa.Column('reach', sa.Float(), nullable=True),
    sa.Column('clicks', sa.Float(), nullable=True),
    sa.Column('link_clicks', sa.Float(), nullable=True),
    sa.Column('conversions', sa.Float(), nullable=True),
    sa.Column('conversion_value', sa.Float(), nullable=True),
    sa.Column('video_views', sa.Float(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_ad_facts_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_ad_facts_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_facts')),
    sa.UniqueConstraint('platform', 'account', 'campaign', 'ad_group', 'ad', 'date', 'currency', name='uq_ad_facts_natural_key')
    )
    with op.batch_alter_table('ad_facts', schema=None) as batch_op:
        batch_op.create_index('ix_ad_facts_campaign_date', ['campaign', 'date'], unique=False)
        batch_op.create_index('ix_ad_facts_platform_date', ['platform', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_facts_batch_id'), ['batch_id'], unique=False)
    op.create_table('campaign_days',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=False),
    sa.Column('campaign', sa.String(length=300), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('spend', sa.Float(), nullable=False),
    sa.Column('impressions', sa.Float(), nullable=True),
    sa.Column('reach', sa.Float(), nullable=True),
    sa.Column('clicks', sa.Float(), nullable=True),
    sa.Column('link_clicks', sa.Float(), nullable=True),
    sa.Column('conversions', sa.Float(), nullable=True),
    sa.Column('conversion_value', sa.Float(), nullable=True),
    sa.Column('video_views', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('platform', 'account', 'campaign', 'date', 'currency', name=op.f('pk_campaign_days'))
    )


def downgrade() -> None:
    op.drop_table('campaign_days')
    op.drop_table('ad_facts')
    op.drop_table('import_batches')
