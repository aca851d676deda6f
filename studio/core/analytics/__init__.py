"""Analytics: platform performance reports in, daily facts in the library, KPIs out.

    ingest/   sniff and parse the reports agencies download (Meta, Google Ads, TikTok,
              LinkedIn, anything else through a column mapping); `ingest.ingest` is the job
    store.py  write an import batch of facts (de-duplicated on the natural key), list and
              remove batches, remember column mappings
    kpis.py   CTR, CPC, CPM, CPA, ROAS, conversion rate and frequency by any dimension,
              with period-over-period comparison, aggregated in SQLite
    anomalies.py  days outside a campaign's weekday-matched robust band, CPC/CPM level shifts, each in a sentence
    forecast.py   14/30-day forecasts of spend and conversions (Holt-Winters, weekly season) with intervals
    segments.py   RFM segments and k-means clusters from an orders CSV, with suggested channels
"""
