"""working together: a version on every editable row (optimistic concurrency), the change_log
that tells each session what the others wrote, and whose step each undo entry is

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The editable tables as of this revision (the model's UNDOABLE_TABLES may grow later; a later
# revision adds the column to a new table itself).
VERSIONED = ('ad_copy', 'asset_tags', 'assets', 'brand_profiles', 'brand_rules', 'brands', 'brief_approvals',
             'brief_comments', 'brief_sections', 'brief_versions', 'briefs', 'campaign_reviewers', 'campaigns',
             'channels', 'clients', 'compositions', 'decision_rules', 'kata_recipes', 'post_comments',
             'post_decisions', 'posts', 'proposed_actions', 'research_documents', 'settings', 'spec_entries', 'waivers')


def upgrade() -> None:
    for table in VERSIONED:
        # Existing rows start at version 1. A plain constant default lets SQLite add the column in
        # place: a table copy would drop the old table, and the foreign keys' ON DELETE would fire.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('undo_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_undo_log_actor'), ['actor'], unique=False)
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('session', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('tables', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_at'))
    op.drop_table('change_log')
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch table copy (see upgrade)
    op.drop_index(op.f('ix_undo_log_actor'), table_name='undo_log')
    op.drop_column('undo_log', 'actor')
    for table in VERSIONED:
        op.drop_column(table, 'version')
