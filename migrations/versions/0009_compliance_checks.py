"""compliance_checks: the last check of each target, clean or not (a clean check no longer
leaves a placeholder row among the findings)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compliance_checks',
    sa.Column('target', sa.String(length=60), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_compliance_checks_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target', name=op.f('pk_compliance_checks'))
    )
    with op.batch_alter_table('compliance_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_checks_campaign_id'), ['campaign_id'], unique=False)
    op.execute("INSERT INTO compliance_checks (target, campaign_id, content_hash, errors, warnings, checked_at) "
               "SELECT target, MAX(campaign_id), MAX(content_hash), SUM(CASE WHEN severity = 'error' THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN severity = 'warning' THEN 1 ELSE 0 END), MAX(checked_at) "
               "FROM compliance_findings GROUP BY target")
    op.execute("DELETE FROM compliance_findings WHERE severity = 'none'")
    with op.batch_alter_table('compliance_findings', schema=None) as batch_op:
        batch_op.drop_column('content_hash')


def downgrade() -> None:
    with op.batch_alter_table('compliance_findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=False, server_default=''))
    op.execute("UPDATE compliance_findings SET content_hash = (SELECT content_hash FROM compliance_checks c "
               "WHERE c.target = compliance_findings.target)")
    op.execute("INSERT INTO compliance_findings (target, campaign_id, content_hash, fingerprint, rule_id, severity, document, checked_at) "
               "SELECT target, campaign_id, content_hash, '', '', 'none', '{}', checked_at FROM compliance_checks c "
               "WHERE NOT EXISTS (SELECT 1 FROM compliance_findings f WHERE f.target = c.target)")
    with op.batch_alter_table('compliance_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_checks_campaign_id'))
    op.drop_table('compliance_checks')
