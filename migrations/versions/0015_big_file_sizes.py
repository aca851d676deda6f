"""team libraries: file sizes over 2 GB (a long 4K master) fit on PostgreSQL too; SQLite's
INTEGER is 64-bit already, so there is nothing to do there

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column('assets', 'size_bytes', type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column('assets', 'size_bytes', type_=sa.Integer(), existing_nullable=False)
