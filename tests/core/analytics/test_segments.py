"""Customer segments: RFM scores and names worked out on known customers, k-means finding planted
groups, and orders files as shops export them, with their bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.core.analytics.segments import CHANNELS, read_orders, rfm, segment
from studio.core.errors import BadInput

NOW = pd.Timestamp("2026-11-20")
# kind: (orders, days since the last order, order value)
KINDS = {"best": (8, 3, 120.0), "new": (1, 5, 40.0), "lapsed": (6, 300, 90.0), "gone": (1, 400, 25.0)}


def orders(per_kind: int = 100, seed: int = 0) -> pd.DataFrame:
    """Four planted kinds of customers, as many of each."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind, (count, last, value) in KINDS.items():
        for c in range(per_kind):
            for i in range(count):
                day = NOW - pd.Timedelta(days=last + 20 * i + int(rng.integers(0, 5)))
                rows.append((f"{kind}-{c}", day, value * (1 + rng.normal(0, 0.1))))
    return pd.DataFrame(rows, columns=["customer", "date", "amount"])


def write_orders(path, frame: pd.DataFrame, header=("Customer ID", "Order Date", "Total"), sep=",", decimal=".") -> str:
    lines = [sep.join(header)]
    lines += [sep.join((c, f"{d:%Y-%m-%d}", f"{a:.2f}".replace(".", decimal))) for c, d, a in frame.itertuples(index=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_rfm_scores_and_names_follow_their_definitions():
    table = rfm(pd.DataFrame({
        "customer": ["a", "a", "a", "b", "c", "c", "d", "e", "e", "e", "e"],
        "date": pd.to_datetime(["2026-11-19", "2026-10-01", "2026-09-01", "2026-11-18", "2026-03-01", "2026-02-01",
                                "2026-01-01", "2026-11-10", "2026-11-01", "2026-10-20", "2026-10-10"]),
        "amount": [50, 50, 50, 20, 30, 30, 10, 100, 100, 100, 100]})).set_index("customer")
    assert table.loc["a", ["recency", "frequency", "monetary"]].tolist() == [1, 3, 150]  # counted from the day after the last order
    assert table["r"].to_dict() == {"a": 5, "b": 4, "c": 2, "d": 1, "e": 3}
    assert table["f"].to_dict() == {"a": 4, "b": 2, "c": 3, "d": 2, "e": 5}  # b and d tie, and share a score
    assert table["segment"].to_dict() == {"a": "Champions", "b": "New", "c": "At risk", "d": "Hibernating", "e": "Loyal"}


def test_planted_groups_are_found_by_both_methods():
    result = segment(orders())
    named = result.segments.set_index("name")
    assert named.loc["Champions", "size"] == 100 and named.loc["Champions", "mean_value"] == pytest.approx(960, rel=0.05)
    assert named.loc["Champions", "channels"] == list(CHANNELS["Champions"])
    assert named.loc["Hibernating", "size"] == 100 and named.loc["Hibernating", "recency"] > 390
    assert named["size"].sum() == 400 and named["total_value"].sum() == pytest.approx(result.customers["monetary"].sum())
    kind = result.customers["customer"].str.split("-").str[0]
    names = result.customers.groupby(kind)["segment"].agg(lambda s: sorted(set(s))).to_dict()
    # quintiles of recency cut through the lapsed and the new: the middle quintile reads Loyal / Need attention
    assert names == {"best": ["Champions"], "gone": ["Hibernating"], "lapsed": ["At risk", "Loyal"],
                     "new": ["Need attention", "New"]}
    assert "win-back email" in named.loc["At risk", "channels"]
    # k-means, k chosen by silhouette: the four planted kinds, each whole
    assert result.k == 4 and result.silhouette > 0.8
    assert (pd.crosstab(kind, result.customers["cluster"]) > 0).sum(axis=1).tolist() == [1, 1, 1, 1]
    assert sorted(result.clusters["name"]) == ["mostly At risk", "mostly Champions", "mostly Hibernating", "mostly New"]
    assert segment(orders(), k=3).k == 3


def test_orders_files_as_shops_export_them(tmp_path):
    frame = orders(per_kind=5)
    comma = read_orders(write_orders(tmp_path / "a.csv", frame))
    semicolon = read_orders(write_orders(tmp_path / "b.csv", frame, ("client_id", "date", "Amount"), sep=";", decimal=","))
    assert len(comma) == len(frame) and comma["amount"].to_numpy() == pytest.approx(frame["amount"].to_numpy(), abs=0.006)
    pd.testing.assert_frame_equal(comma, semicolon)
    assert comma["date"].iloc[0] == frame["date"].iloc[0].normalize()


def test_bad_orders_files_say_what_to_fix(tmp_path):
    frame = orders(per_kind=3)
    with pytest.raises(BadInput, match=r"has no amount column \(found: customer_id, order_date, qty\)"):
        read_orders(write_orders(tmp_path / "a.csv", frame, ("Customer ID", "Order Date", "Qty")))
    bad_date = tmp_path / "d.csv"
    bad_date.write_text("customer_id,order_date,amount\nA,2026-11-01,10\nB,last tuesday,12\n", encoding="utf-8")
    with pytest.raises(BadInput, match="not dates on row\\(s\\) 3 \\(e.g. “last tuesday”\\)"):
        read_orders(bad_date)
    odd = tmp_path / "o.csv"
    odd.write_text("customer_id#order_date#amount\nA#2026-11-01#10\n", encoding="utf-8")
    with pytest.raises(BadInput, match="Cannot tell how the columns of o.csv are separated"):
        read_orders(odd)
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(BadInput, match="is empty"):
        read_orders(empty)
    with pytest.raises(BadInput, match="at least 10 customers; the orders have 4"):
        segment(orders(per_kind=1))
    with pytest.raises(BadInput, match="--k must be between 2 and"):
        segment(orders(per_kind=5), k=1)
