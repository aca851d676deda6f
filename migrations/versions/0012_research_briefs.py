"""research and briefs: brand profiles, research documents (unique per brand by content hash),
briefs with their Markdown sections, versions, comments and approvals

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('brand_profiles',
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('fonts', sa.JSON(), nullable=False),
    sa.Column('voice', sa.JSON(), nullable=False),
    sa.Column('key_messages', sa.JSON(), nullable=False),
    sa.Column('audiences', sa.JSON(), nullable=False),
    sa.Column('competitors', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_brand_profiles_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('brand_id', name=op.f('pk_brand_profiles'))
    )
    op.create_table('research_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('competitor', sa.String(length=200), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_research_documents_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_documents')),
    sa.UniqueConstraint('brand_id', 'sha256', name='uq_research_documents_brand_sha256')
    )
    op.create_table('briefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_briefs_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_briefs_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_briefs'))
    )
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_briefs_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_briefs_campaign_id'), ['campaign_id'], unique=False)
    op.create_table('brief_sections',
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_sections_brief_id_briefs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('brief_id', 'key', name=op.f('pk_brief_sections'))
    )
    op.create_table('brief_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_versions_brief_id_briefs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_versions')),
    sa.UniqueConstraint('brief_id', 'number', name='uq_brief_versions_brief_number')
    )
    op.create_table('brief_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('parent_uid', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_comments_brief_id_briefs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_comments')),
    sa.UniqueConstraint('uid', name=op.f('uq_brief_comments_uid'))
    )
    with op.batch_alter_table('brief_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_comments_brief_id'), ['brief_id'], unique=False)
    op.create_table('brief_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_approvals_brief_id_briefs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_approvals')),
    sa.UniqueConstraint('uid', name=op.f('uq_brief_approvals_uid'))
    )
    with op.batch_alter_table('brief_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_approvals_brief_id'), ['brief_id'], unique=False)


def downgrade() -> None:
    for table in ('brief_approvals', 'brief_comments', 'brief_versions', 'brief_sections', 'briefs', 'research_documents', 'brand_profiles'):
        op.drop_table(table)
