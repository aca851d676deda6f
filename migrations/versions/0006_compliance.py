"""compliance: brand rules, findings, waivers; hash-chained audit events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    from studio.core.audit import chain_existing
    chain_existing(op.get_bind())  # events written before the chain existed get linked, in id order
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', server_default=None)
        batch_op.alter_column('hash', server_default=None)
    op.create_table('brand_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_brand_rules_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_rules'))
    )
    with op.batch_alter_table('brand_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_rules_brand_id'), ['brand_id'], unique=False)
    op.create_table('compliance_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=60), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=True),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_compliance_findings_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_findings'))
    )
    with op.batch_alter_table('compliance_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_findings_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_findings_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_findings_target'), ['target'], unique=False)
    op.create_table('waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=60), nullable=False),
    sa.Column('rule_id', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waivers'))
    )
    with op.batch_alter_table('waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waivers_fingerprint'), ['fingerprint'], unique=False)


def downgrade() -> None:
    op.drop_table('waivers')
    op.drop_table('compliance_findings')
    op.drop_table('brand_rules')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
