"""ad_facts: drop the campaign/date and platform/date indexes (campaign_days answers those
queries; each index made a million-row import half again slower)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ad_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_ad_facts_campaign_date')
        batch_op.drop_index('ix_ad_facts_platform_date')


def downgrade() -> None:
    with op.batch_alter_table('ad_facts', schema=None) as batch_op:
        batch_op.create_index('ix_ad_facts_platform_date', ['platform', 'date'], unique=False)
        batch_op.create_index('ix_ad_facts_campaign_date', ['campaign', 'date'], unique=False)
