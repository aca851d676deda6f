"""Copy checks: precision and recall for errors on the labelled set (tests/data/compliance/
labelled_copy.csv, written with the rules) and on a held-out set written after the rules were
frozen (heldout_copy.csv); then the time to check 10,000 lines, against the floor of one
keyword-regex pass over the same lines (what a plain banned-word filter costs).

    python benchmarks/compliance_copy.py
"""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.core.compliance.engine import Context, check_copy  # noqa: E402
from studio.core.compliance.rules import shipped_rules  # noqa: E402

DATA = ROOT / "tests" / "data" / "compliance"


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def context(row) -> Context:
    return Context(platform=row["platform"], locale=row["locale"] or None, brand_names=(row["brand"],) if row["brand"] else ())


def quality(rows, ruleset) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for row in rows:
        found = any(f.severity == "error" for f in check_copy(row["text"], row["platform"], row["field"], ruleset=ruleset, context=context(row)))
        tp += found and row["expect"] == "error"
        fp += found and row["expect"] == "ok"
        fn += (not found) and row["expect"] == "error"
    return tp / (tp + fp), tp / (tp + fn), len(rows)


def main() -> None:
    ruleset = shipped_rules()
    for name in ("labelled_copy.csv", "heldout_copy.csv"):
        precision, recall, n = quality(load(name), ruleset)
        print(f"{name:<20} {n:4d} lines   precision {precision:.3f}   recall {recall:.3f}")

    rows = load("labelled_copy.csv") + load("heldout_copy.csv")
    lines = (rows * (10_000 // len(rows) + 1))[:10_000]
    contexts = {}
    for row in lines:  # a campaign's copy shares a few contexts
        contexts.setdefault((row["platform"], row["locale"], row["brand"]), context(row))
    check_copy("warm-up", "google", "headline", ruleset=ruleset)
    start = time.perf_counter()
    found = 0
    for row in lines:
        found += len(check_copy(row["text"], row["platform"], row["field"], ruleset=ruleset,
                                context=contexts[(row["platform"], row["locale"], row["brand"])]))
    ours = time.perf_counter() - start
    words = [p for r in ruleset.rules if r.check == "phrases" for p in r.params.get("phrases", [])]
    floor = re.compile(r"\b(?:" + "|".join(re.escape(w.rstrip("*")) for w in words) + r")", re.IGNORECASE)
    start = time.perf_counter()
    hits = sum(len(floor.findall(row["text"])) for row in lines)
    plain = time.perf_counter() - start
    print(f"10,000 lines: {ours:.2f} s ({found} findings, {len(ruleset.rules)} rules)   keyword regex alone: {plain:.3f} s ({hits} hits)   "
          f"ratio {ours / plain:.0f}x")


if __name__ == "__main__":
    main()
