"""Analytics: platform performance reports in, daily facts in the library, KPIs out.

    ingest/   sniff and parse the reports agencies download (Meta, Google Ads, TikTok,
              LinkedIn, anything else through a column mapping); `ingest.ingest` is the job
    store.py  write an import batch of facts (de-duplicated on the natural key), list and
              remove batches, remember column mappings
    kpis.py   CTR, CPC, CPM, CPA, ROAS, conversion rate and frequency by any dimension,
              with period-over-period comparison, aggregated in SQLite
"""
