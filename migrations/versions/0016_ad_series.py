"""analytics: each ad's facts as one array per ad and currency (ad_series) instead of a row per
ad and day: a million-row report is a thousand rows to write

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22
"""
import numpy as np
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

METRICS = ("spend", "impressions", "reach", "clicks", "link_clicks", "conversions", "conversion_value", "video_views")
# studio.core.analytics.series.RECORD as it is at this revision
RECORD = np.dtype([("day", "<i4"), ("batch_id", "<i4"), ("source_line", "<i4"), *((m, "<f8") for m in METRICS)])
EPOCH = np.datetime64("1970-01-01", "D")
FACT_COLUMNS = ("date", "entity_id", "currency", *METRICS, "batch_id", "source_line")


def upgrade() -> None:
    op.create_table('ad_series',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['ad_entities.id'], name=op.f('fk_ad_series_entity_id_ad_entities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entity_id', 'currency', name=op.f('pk_ad_series'))
    )
    conn = op.get_bind()
    facts = conn.exec_driver_sql(f"SELECT {', '.join(FACT_COLUMNS)} FROM ad_facts ORDER BY entity_id, currency, date").all()
    series = {}
    for row in facts:
        series.setdefault((row[1], row[2]), []).append(row)
    table = sa.table('ad_series', sa.column('entity_id', sa.Integer), sa.column('currency', sa.String), sa.column('first_day', sa.Date),
                     sa.column('last_day', sa.Date), sa.column('days', sa.Integer), sa.column('data', sa.LargeBinary))
    for (entity, currency), rows in series.items():
        records = np.empty(len(rows), dtype=RECORD)
        records["day"] = (np.array([str(r[0])[:10] for r in rows], dtype="datetime64[D]") - EPOCH).astype(np.int32)
        records["batch_id"] = [r[-2] for r in rows]
        records["source_line"] = [r[-1] for r in rows]
        for i, metric in enumerate(METRICS, 3):
            records[metric] = [np.nan if r[i] is None else r[i] for r in rows]
        conn.execute(table.insert().values(entity_id=entity, currency=currency, first_day=_date(rows[0][0]),
                                           last_day=_date(rows[-1][0]), days=len(rows), data=records.tobytes()))
    op.drop_table('ad_facts')


def downgrade() -> None:
    op.create_table('ad_facts',
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('spend', sa.Float(), nullable=False),
    *(sa.Column(m, sa.Float(), nullable=True) for m in METRICS[1:]),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source_line', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['ad_entities.id'], name=op.f('fk_ad_facts_entity_id_ad_entities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('date', 'entity_id', 'currency', name=op.f('pk_ad_facts')),
    sqlite_with_rowid=False
    )
    conn = op.get_bind()
    table = sa.table('ad_facts', sa.column('date', sa.Date), *(sa.column(c) for c in FACT_COLUMNS[1:]))
    for entity, currency, data in conn.exec_driver_sql("SELECT entity_id, currency, data FROM ad_series").all():
        records = np.frombuffer(bytes(data), dtype=RECORD)
        days = (records["day"].astype("timedelta64[D]") + EPOCH).astype(object)
        conn.execute(table.insert(), [
            {"date": day, "entity_id": entity, "currency": currency, "batch_id": int(r["batch_id"]), "source_line": int(r["source_line"]),
             **{m: None if np.isnan(r[m]) else float(r[m]) for m in METRICS}}
            for day, r in zip(days, records)])
    op.drop_table('ad_series')


def _date(value):
    return np.datetime64(str(value)[:10], "D").astype(object)
