"""Alembic environment. The studio runs migrations itself (studio.core.db.migrate);
the connection arrives in config.attributes, so no alembic.ini is needed."""

from alembic import context

from studio.core.db.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
