"""Markov attribution (order 1) on 1,000,000 simulated journeys: ours against `channelattribution`
on the same data in the same run, once as one row per journey and once aggregated to one row per
distinct path (the usual journeys file). Also prints the largest per-channel difference.

channelattribution is GPL and only a test/benchmark oracle: `pip install channelattribution`.

    python benchmarks/attribution_speed.py [JOURNEYS] [CHANNELS]
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.core.analytics.attribution import Journeys, markov


def simulated(n: int, channels: int, seed: int = 0) -> pd.DataFrame:
    """Geometric path lengths capped at 12, about 10 % conversion, one row per journey."""
    rng = np.random.default_rng(seed)
    names = np.array([f"channel_{i}" for i in range(channels)])
    lengths = np.minimum(rng.geometric(0.35, n), 12)
    touches = rng.choice(channels, lengths.sum())
    journey = np.repeat(np.arange(n), lengths)
    lift = np.linspace(0.0, 0.06, channels)
    touched = np.zeros((n, channels), bool)
    touched[journey, touches] = True
    converted = rng.random(n) < 0.03 + touched @ lift / 2
    paths = pd.Series(names[touches]).groupby(journey).agg(" > ".join).to_numpy()
    return pd.DataFrame({"path": paths, "conversions": converted.astype(int), "nulls": (~converted).astype(int)})


def timed(function, repeats: int = 3):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    channels = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            import ChannelAttribution as oracle
        except ImportError:
            sys.exit("channelattribution is not installed: pip install channelattribution")
    raw = simulated(n, channels)
    aggregated = raw.groupby("path", as_index=False).sum()
    for label, frame in ((f"{n:,} journeys, one row each", raw), (f"same, {len(aggregated):,} distinct paths", aggregated)):
        ours_s, ours = timed(lambda frame=frame: markov(Journeys.from_paths(frame["path"], frame["conversions"],
                                                                            nulls=frame["nulls"])).table)
        theirs_s, theirs = timed(lambda frame=frame: oracle_markov(oracle, frame))
        theirs = theirs.set_index("channel_name")["total_conversions"].reindex(ours.index)
        gap = float((ours["conversions"] / theirs - 1).abs().max())
        print(f"{label:<40} ours {ours_s:6.2f} s   channelattribution {theirs_s:6.2f} s   "
              f"ratio {ours_s / theirs_s:4.2f} (goal <= 1.0)   largest channel difference {gap:.1%}")


def oracle_markov(oracle, frame: pd.DataFrame) -> pd.DataFrame:
    with contextlib.redirect_stdout(io.StringIO()):  # it prints banners and progress
        return oracle.markov_model(frame, "path", "conversions", var_null="nulls", order=1, flg_pro=False, verbose=False)


if __name__ == "__main__":
    main()
