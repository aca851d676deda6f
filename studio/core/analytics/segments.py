"""Customer segments from an orders file: RFM scores with named segments, and k-means clusters.

    segment(read_orders("orders.csv"))

An orders file has one row per order with a customer id, an order date and an amount; the
columns are found by their usual names in shop and CRM exports (Shopify, WooCommerce, the
UCI Online Retail set…), the separator and decimal commas by looking. Each customer gets
recency (days since the last order, counted from the day after the newest order in the file),
frequency (orders) and monetary value (their sum), and a 1-5 score for each by quintile.

Named segments follow the usual RFM reading (first rule that fits):

    New             R 4-5, exactly one order
    Champions       R 4-5, F 4-5
    Loyal           R 3-5, F 3-5
    Promising       R 4-5 (recent, few orders)
    At risk         R 1-2, F 3-5 (used to buy often, gone quiet)
    Hibernating     R 1-2 (gone quiet, never bought much)
    Need attention  the rest (R 3, F 1-2)

CHANNELS says where to reach each one. k-means runs on the standardized logs of recency,
frequency and monetary value, with k picked by the silhouette score within 2..8 unless given;
each cluster is named after the RFM segment most of its customers are in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

# the attribution reader's helpers read spreadsheet CSVs the same way: encodings, separators, numbers
from studio.core.analytics.csv_files import column_separator, decode, norm, numbers, pick
from studio.core.errors import BadInput

CUSTOMER_COLUMNS = ("customer_id", "customer", "customerid", "client_id", "user_id", "customer_email", "email",
                    "customer_number", "buyer", "client")
DATE_COLUMNS = ("order_date", "date", "invoicedate", "invoice_date", "created_at", "purchase_date", "ordered_at",
                "order_time", "timestamp", "paid_at")
AMOUNT_COLUMNS = ("amount", "order_total", "total", "revenue", "order_value", "value", "sales", "total_price",
                  "grand_total", "price")
SEGMENTS = ("Champions", "Loyal", "New", "Promising", "Need attention", "At risk", "Hibernating")
CHANNELS = {
    "Champions": ("email (VIP and early access)", "referral programme"),
    "Loyal": ("email (loyalty and cross-sell)", "Meta custom audiences (upsell)"),
    "New": ("onboarding email", "Meta retargeting"),
    "Promising": ("email nurture", "Meta retargeting"),
    "Need attention": ("email offers", "Google Search brand campaigns"),
    "At risk": ("win-back email", "Meta retargeting"),
    "Hibernating": ("low-cost reactivation email", "Meta lookalikes instead of retargeting"),
}
MIN_CUSTOMERS = 10
K_RANGE = range(2, 9)
SILHOUETTE_SAMPLE = 5000  # customers scored when choosing k: enough to rank the k, far cheaper than all


@dataclass(frozen=True)
class Segmentation:
    customers: pd.DataFrame  # customer, recency, frequency, monetary, r, f, m, segment, cluster
    segments: pd.DataFrame  # name, size, share, total_value, mean_value, recency, frequency, monetary, channels
    clusters: pd.DataFrame  # cluster, name, size, total_value, mean_value, recency, frequency, monetary
    k: int
    silhouette: float


def read_orders(path: Path | str) -> pd.DataFrame:
    """customer, date, amount per order from a CSV export; BadInput says which column or rows are wrong."""
    path = Path(path)
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise BadInput(f"Cannot read the orders file {path}: {exc.strerror or exc}.") from exc
    if not text.strip():
        raise BadInput(f"The orders file {path.name} is empty. Export orders with a header row "
                       "(customer id, order date, amount) and at least one row.")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=column_separator(text, path), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise BadInput(f"{path.name} is not a consistent table: {str(exc).strip()}. "
                       "Check that line for stray separators or a cut-off export.") from exc
    frame.columns = [norm(c) for c in frame.columns]
    columns = set(frame.columns)
    found = {role: pick(columns, names) for role, names in
             (("customer", CUSTOMER_COLUMNS), ("date", DATE_COLUMNS), ("amount", AMOUNT_COLUMNS))}
    missing = [role for role, column in found.items() if column is None]
    if missing:
        raise BadInput(f"{path.name} has no {' or '.join(missing)} column (found: {', '.join(frame.columns)}). "
                       f"Name them e.g. customer_id, order_date and amount.")
    dates = pd.to_datetime(frame[found["date"]].str.strip(), errors="coerce", format="mixed", utc=True).dt.tz_localize(None)
    if dates.isna().any():
        rows = np.flatnonzero(dates.isna().to_numpy())[:5]
        raise BadInput(f"Column {found['date']!r} has values that are not dates on row(s) {', '.join(str(r + 2) for r in rows)} "
                       f"(e.g. “{frame[found['date']].iloc[rows[0]]}”). Write dates as YYYY-MM-DD.")
    amounts = frame[found["amount"]].str.replace(r"[€$£¥]|\b[A-Z]{3}\b", "", regex=True)
    customers = frame[found["customer"]].str.strip()
    if (customers == "").any():
        rows = np.flatnonzero((customers == "").to_numpy())[:5]
        raise BadInput(f"Row(s) {', '.join(str(r + 2) for r in rows)} of {path.name} have no customer id.")
    return pd.DataFrame({"customer": customers, "date": dates,
                         "amount": numbers(amounts, found["amount"])})


def rfm(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: recency (days), frequency, monetary, their 1-5 scores and the segment name."""
    reference = orders["date"].max().normalize() + pd.Timedelta(days=1)
    table = orders.groupby("customer").agg(last=("date", "max"), frequency=("date", "size"), monetary=("amount", "sum"))
    table["recency"] = (reference - table.pop("last").dt.normalize()).dt.days
    table["r"] = 6 - _quintile(table["recency"])  # recent is good
    table["f"] = _quintile(table["frequency"])
    table["m"] = _quintile(table["monetary"])
    table["segment"] = _names(table)
    return table.reset_index()[["customer", "recency", "frequency", "monetary", "r", "f", "m", "segment"]]


def _quintile(values: pd.Series) -> pd.Series:
    """1-5 by quintile of the rank; ties share a score (half the customers with one order are not split 1 to 3)."""
    return np.ceil(values.rank(method="average", pct=True) * 5).clip(1, 5).astype(int)


def _names(t: pd.DataFrame) -> np.ndarray:
    rules = [
        (t.r >= 4) & (t.frequency == 1),
        (t.r >= 4) & (t.f >= 4),
        (t.r >= 3) & (t.f >= 3),
        t.r >= 4,
        (t.r <= 2) & (t.f >= 3),
        t.r <= 2,
    ]
    return np.select(rules, ["New", "Champions", "Loyal", "Promising", "At risk", "Hibernating"], "Need attention")


def segment(orders: pd.DataFrame, k: int | None = None, seed: int = 0) -> Segmentation:
    """RFM segments and k-means clusters of the customers in `orders` (customer, date, amount)."""
    customers = rfm(orders)
    if len(customers) < MIN_CUSTOMERS:
        raise BadInput(f"Segments need at least {MIN_CUSTOMERS} customers; the orders have {len(customers)}.")
    features = StandardScaler().fit_transform(np.log1p(customers[["recency", "frequency", "monetary"]].clip(lower=0)))
    distinct = len(np.unique(features, axis=0))
    candidates = [k] if k is not None else [c for c in K_RANGE if c < distinct]
    if k is not None and not 2 <= k < distinct:
        raise BadInput(f"--k must be between 2 and {distinct - 1} for these customers (got {k}).")
    if not candidates:
        raise BadInput("The customers are too alike to cluster: nearly all have the same recency, orders and value.")
    best = None
    for n in candidates:
        labels = KMeans(n_clusters=n, n_init=4, random_state=seed).fit_predict(features)
        score = silhouette_score(features, labels, sample_size=min(len(features), SILHOUETTE_SAMPLE), random_state=seed)
        if best is None or score > best[0]:
            best = (score, n, labels)
    score, n, labels = best
    customers["cluster"] = labels
    return Segmentation(customers, _named(customers), _clusters(customers), n, float(score))


def _summary(customers: pd.DataFrame, by: str) -> pd.DataFrame:
    table = customers.groupby(by).agg(size=("customer", "size"), total_value=("monetary", "sum"), mean_value=("monetary", "mean"),
                                      recency=("recency", "mean"), frequency=("frequency", "mean"), monetary=("monetary", "mean"))
    table.insert(1, "share", table["size"] / len(customers))
    return table


def _clusters(customers: pd.DataFrame) -> pd.DataFrame:
    table = _summary(customers, "cluster")
    table.insert(0, "name", customers.groupby("cluster")["segment"].agg(lambda s: f"mostly {s.mode().iloc[0]}"))
    return table.reset_index()


def _named(customers: pd.DataFrame) -> pd.DataFrame:
    table = _summary(customers, "segment").reindex([s for s in SEGMENTS if s in set(customers["segment"])])
    table["channels"] = [list(CHANNELS[name]) for name in table.index]
    return table.rename_axis("name").reset_index()
