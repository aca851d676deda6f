"""analytics: ads named once in ad_entities, ad_facts keyed (date, entity, currency) without
rowids (a million-row import writes half as much), import_batches.facts kept up to date;
ai_calls: every call to a language model with its tokens and cost

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

METRICS = "spend, impressions, reach, clicks, link_clicks, conversions, conversion_value, video_views"
NAME = "platform, account, campaign, ad_group, ad"


def upgrade() -> None:
    op.create_table('ad_entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('account', sa.String(length=300), nullable=False),
    sa.Column('campaign', sa.String(length=300), nullable=False),
    sa.Column('ad_group', sa.String(length=300), nullable=False),
    sa.Column('ad', sa.String(length=300), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_ad_entities_asset_id_assets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_entities')),
    sa.UniqueConstraint('platform', 'account', 'campaign', 'ad_group', 'ad', name='uq_ad_entities_name')
    )
    op.execute(f"INSERT INTO ad_entities ({NAME}, asset_id) SELECT {NAME}, max(asset_id) FROM ad_facts GROUP BY {NAME}")
    if op.get_bind().dialect.name == "postgresql":  # a constraint name is a relation name there: free it for the new table
        op.execute("ALTER TABLE ad_facts RENAME CONSTRAINT pk_ad_facts TO pk_ad_facts_old")
    op.create_table('ad_facts_new',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
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
    sa.ForeignKeyConstraint(['entity_id'], ['ad_entities.id'], name=op.f('fk_ad_facts_entity_id_ad_entities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('date', 'entity_id', 'currency', name=op.f('pk_ad_facts')),
    sqlite_with_rowid=False
    )
    op.execute(f"INSERT INTO ad_facts_new (date, entity_id, currency, {METRICS}, batch_id, source_line) "
               f"SELECT f.date, e.id, f.currency, {', '.join('f.' + m for m in METRICS.split(', '))}, f.batch_id, f.source_line "
               f"FROM ad_facts f JOIN ad_entities e USING ({NAME}) ORDER BY f.date, e.id, f.currency")
    op.drop_table('ad_facts')
    op.rename_table('ad_facts_new', 'ad_facts')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.alter_column('facts', server_default=None)
    op.execute("UPDATE import_batches SET facts = (SELECT count(*) FROM ad_facts WHERE ad_facts.batch_id = import_batches.id)")
    op.create_table('ai_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_calls'))
    )


def downgrade() -> None:
    op.drop_table('ai_calls')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('facts')
    op.rename_table('ad_facts', 'ad_facts_lean')
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
    op.execute(f"INSERT INTO ad_facts ({NAME}, asset_id, date, currency, {METRICS}, batch_id, source_line) "
               f"SELECT {', '.join('e.' + n for n in NAME.split(', '))}, e.asset_id, f.date, f.currency, "
               f"{', '.join('f.' + m for m in METRICS.split(', '))}, f.batch_id, f.source_line "
               "FROM ad_facts_lean f JOIN ad_entities e ON e.id = f.entity_id")
    op.drop_table('ad_facts_lean')
    op.drop_table('ad_entities')
    with op.batch_alter_table('ad_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_facts_batch_id'), ['batch_id'], unique=False)
