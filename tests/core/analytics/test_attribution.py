"""Attribution models on small journeys worked out by hand, the journeys-file reader with its bad
input, and agreement with `channelattribution` (GPL, a test-only oracle) on simulated journeys."""

from __future__ import annotations

import contextlib
import io
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from studio.core.analytics import attribution as A
from studio.core.errors import BadInput

# conversions, value, nulls per path; `email > search > search > facebook` repeats a channel
PATHS = """path;total_conversions;total_conversion_value;total_null
facebook > search > email;2;100;1
search;1;30;2
facebook > email;1;50;0
email > search > search > facebook;1;20;0
"""


@pytest.fixture
def journeys(tmp_path) -> A.Journeys:
    file = tmp_path / "paths.csv"
    file.write_text(PATHS, encoding="utf-8")
    return A.read_journeys(file)


def credited(result: A.Attribution) -> dict[str, tuple[float, float]]:
    return {ch: (v["conversions"], v["value"]) for ch, v in result.as_dict().items()}


def assert_credit(result, expected: dict[str, tuple[float, float]]):
    got = credited(result)
    assert got.keys() == expected.keys()
    for channel, (conv, value) in expected.items():
        assert got[channel][0] == pytest.approx(conv), channel
        assert got[channel][1] == pytest.approx(value), channel


def test_first_and_last_touch_give_everything_to_one_end_of_the_path(journeys):
    assert_credit(A.first_touch(journeys), {"facebook": (3, 150), "search": (1, 30), "email": (1, 20)})
    assert_credit(A.last_touch(journeys), {"email": (3, 150), "search": (1, 30), "facebook": (1, 20)})


def test_linear_splits_each_path_evenly_over_its_touches_repeats_included(journeys):
    assert_credit(A.linear(journeys), {
        "facebook": (2 / 3 + 1 / 2 + 1 / 4, 100 / 3 + 25 + 5),
        "search": (2 / 3 + 1 + 2 / 4, 100 / 3 + 30 + 10),
        "email": (2 / 3 + 1 / 2 + 1 / 4, 100 / 3 + 25 + 5),
    })


def test_position_based_gives_40_percent_to_each_end_and_20_to_the_middle(journeys):
    assert_credit(A.position_based(journeys), {
        "facebook": (0.8 + 0.5 + 0.4, 40 + 25 + 8),
        "search": (0.4 + 1 + 0.2, 20 + 30 + 4),
        "email": (0.8 + 0.5 + 0.4, 40 + 25 + 8),
    })


def test_time_decay_halves_the_credit_per_step_back_from_the_last_touch(journeys):
    # weights 2^-age: path 1 → 1/4, 1/2, 1; path 3 → 1/2, 1; path 4 → 1/8, 1/4, 1/2, 1
    assert_credit(A.time_decay(journeys, half_life=1), {
        "facebook": (2 * (0.25 / 1.75) + 0.5 / 1.5 + 1 / 1.875, 100 * (0.25 / 1.75) + 50 * (0.5 / 1.5) + 20 / 1.875),
        "search": (2 * (0.5 / 1.75) + 1 + 0.75 / 1.875, 100 * (0.5 / 1.75) + 30 + 20 * 0.75 / 1.875),
        "email": (2 * (1 / 1.75) + 1 / 1.5 + 0.125 / 1.875, 100 / 1.75 + 50 / 1.5 + 20 * 0.125 / 1.875),
    })
    # a long half-life tends to linear
    slow = A.time_decay(journeys, half_life=1e9).table
    assert np.allclose(slow.loc[["facebook", "search", "email"], "conversions"],
                       A.linear(journeys).table.loc[["facebook", "search", "email"], "conversions"])


def brute_force_shapley(journeys: A.Journeys, max_coalition: int) -> dict[str, float]:
    """Average marginal contribution over every order of the channels, for
    v(S) = conversions of journeys whose (capped) channel set lies inside S."""
    sets = []
    for start, length, conv in zip(journeys.starts, journeys.lengths, journeys.conversions):
        seen = list(dict.fromkeys(reversed(journeys.touches[start:start + length].tolist())))[:max_coalition]
        sets.append((frozenset(seen), conv))
    players = range(len(journeys.channels))

    def v(coalition):
        return sum(conv for members, conv in sets if members <= coalition)

    totals = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        for i, player in enumerate(order):
            totals[player] += v(frozenset(order[:i + 1])) - v(frozenset(order[:i]))
    return {journeys.channels[p]: t / len(orders) for p, t in totals.items()}


@pytest.mark.parametrize("cap", [4, 2])
def test_shapley_matches_the_definition_over_every_order_of_the_channels(journeys, cap):
    result = A.shapley(journeys, max_coalition=cap)
    expected = brute_force_shapley(journeys, cap)
    assert result.table["conversions"].to_dict() == pytest.approx(expected)
    by_hand = {4: {"facebook": 1.5, "search": 2.0, "email": 1.5}, 2: {"facebook": 1.0, "search": 2.5, "email": 1.5}}
    assert expected == pytest.approx(by_hand[cap])
    assert result.table["value"].sum() == pytest.approx(200)


def test_ordered_shapley_breaks_each_channels_credit_down_by_position(journeys):
    result = A.shapley(journeys, ordered=True)
    table = result.by_position
    assert table.loc["facebook", 1] == pytest.approx(2 / 3 + 1 / 2) and table.loc["facebook", 3] == pytest.approx(1 / 3)
    assert table.loc["search", 1] == pytest.approx(1) and table.loc["search", 2] == pytest.approx(1)
    assert table.loc["email"].tolist() == pytest.approx([1 / 3, 1 / 2, 2 / 3])
    assert table.sum(axis=1).to_dict() == pytest.approx(result.table["conversions"].to_dict())


def test_markov_removal_effects_on_a_chain_solved_by_hand(tmp_path):
    # start→a ½, start→b ½, a→b 1, b→conversion ¼, b→null ¾: P(conv) = ¼.
    # Without a: ⅛ (removal effect ½); without b: 0 (removal effect 1). Credit ⅓ : ⅔.
    file = tmp_path / "chain.csv"
    file.write_text("path,conversions,value,null\na > b,1,30,1\nb,0,0,2\n")
    result = A.markov(A.read_journeys(file))
    assert result.table["removal_effect"].to_dict() == pytest.approx({"a": 0.5, "b": 1.0})
    assert_credit(result, {"a": (1 / 3, 10), "b": (2 / 3, 20)})


def test_markov_of_higher_order_keeps_the_totals_and_credits_every_channel(journeys):
    for order in (1, 2, 3):
        table = A.markov(journeys, order).table
        assert table["conversions"].sum() == pytest.approx(5)
        assert table["value"].sum() == pytest.approx(200)
        assert (table["removal_effect"] > 0).all()
    with pytest.raises(BadInput, match="order must be 1, 2 or 3"):
        A.markov(journeys, 4)


def test_a_touch_file_is_cut_into_journeys_at_each_conversion(tmp_path):
    file = tmp_path / "touches.csv"
    file.write_text("user_id,timestamp,channel,conversion,revenue\n"
                    "u1,2026-03-10 09:00,facebook,0,0\n"  # after u1's conversion: a journey with no conversion
                    "u1,2026-03-01 09:00,facebook,0,0\n"
                    "u2,2026-03-02 12:00,search,1,10\n"
                    "u1,2026-03-03 09:00,search,0,0\n"
                    "u1,2026-03-04 09:00,email,1,40\n")
    journeys = A.read_journeys(file)
    assert journeys.age_unit == "days"
    assert sorted(journeys.lengths.tolist()) == [1, 1, 3]
    assert journeys.conversions.sum() == 2 and journeys.nulls.sum() == 1
    assert_credit(A.last_touch(journeys), {"email": (1, 40), "search": (1, 10), "facebook": (0, 0)})
    assert_credit(A.first_touch(journeys), {"facebook": (1, 40), "search": (1, 10), "email": (0, 0)})
    # ages 3, 1 and 0 days with a one-day half-life: weights 1/8, 1/2, 1
    decay = credited(A.time_decay(journeys, half_life=1))
    assert decay["facebook"][0] == pytest.approx(0.125 / 1.625)
    assert decay["search"][0] == pytest.approx(1 + 0.5 / 1.625)


def test_the_reader_copes_with_a_bom_tabs_decimal_commas_and_other_path_separators(tmp_path):
    file = tmp_path / "excel.csv"
    file.write_bytes("\ufeffPath\tConversions\tConversion value\tNull\n"
                     "facebook|search\t2\t1.234,50\t3\n"
                     "search\t1\t10,5\t0\n"
                     "search|search\t1\t\"1,200\"\t0\n".encode("utf-8"))
    journeys = A.read_journeys(file)
    assert journeys.channels == ("facebook", "search")
    assert journeys.value.tolist() == [1234.5, 10.5, 1200]
    assert journeys.nulls.tolist() == [3, 0, 0]


def test_the_reader_takes_utf16_tab_separated_excel_text(tmp_path):
    file = tmp_path / "unicode.txt"
    file.write_bytes("path\tconversions\nfacebook → google / cpc\t4\n".encode("utf-16"))
    journeys = A.read_journeys(file)
    assert journeys.channels == ("facebook", "google / cpc")
    assert journeys.conversions.tolist() == [4]


def test_identical_paths_are_summed_and_spaces_and_empty_steps_ignored():
    journeys = A.Journeys.from_paths(["a>b", " a > b ", "a>b", "b >> c"], [1, 1, 2, 0], nulls=[0, 0, 1, 4])
    assert journeys.channels == ("a", "b", "c")
    assert journeys.lengths.tolist() == [2, 2, 2]
    assert journeys.touches.tolist() == [0, 1, 0, 1, 1, 2]
    assert journeys.conversions.tolist() == [3, 1, 0] and journeys.nulls.tolist() == [1, 0, 4]


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("path;conversions\n", "header but no rows"),
    ("path:conversions\na > b:1\n", "Cannot tell how the columns"),
    ("path,sales\nfacebook > search,1\n", r"no conversions column \(found: path, sales\)"),
    ("journey,conversions\nfacebook # search,1\nsearch # email,0\n", "separated by “#”"),
    ("path,conversions\nfacebook > search,one\n", r"'conversions' has values that are not numbers on row\(s\) 2"),
    ("path,conversions\nfacebook > search,-1\n", "negative"),
    ("customer,amount\nx,1\n", "neither a path column nor a channel column"),
    ("path,conversions\nfacebook > search,1\nsearch,1,7,8\n", "not a consistent table: .*line 3"),
    ("id,channel,conversion\nu1,search,1\n", "no timestamp column"),
    ("id,timestamp,channel,conversion\nu1,yesterday-ish,search,1\n", r"row\(s\) 2"),
])
def test_bad_journeys_files_say_what_is_wrong(tmp_path, text, message):
    file = tmp_path / "journeys.csv"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        A.read_journeys(file)


def test_an_unknown_path_separator_can_be_given_explicitly(tmp_path):
    file = tmp_path / "hash.csv"
    file.write_text("path,conversions\nfacebook # search,1\nsearch # email,0\n")
    assert A.read_journeys(file, sep="#").channels == ("facebook", "search", "email")


def test_bad_parameters_and_model_names_say_what_is_allowed(journeys):
    with pytest.raises(BadInput, match="half-life must be positive"):
        A.time_decay(journeys, half_life=0)
    with pytest.raises(BadInput, match="coalition cap"):
        A.shapley(journeys, max_coalition=0)
    with pytest.raises(BadInput, match="Choose one of first, last"):
        A.attribute(journeys, "u_shaped")
    assert A.attribute(journeys, "markov", order=2).model == "markov_2"


# ---- the oracle -----------------------------------------------------------------------------------

def simulated_paths(n: int = 30_000, seed: int = 7) -> pd.DataFrame:
    """Journeys whose conversion chance depends on the channels they touch, one row per path."""
    rng = np.random.default_rng(seed)
    channels = np.array(["facebook", "search", "email", "display", "tiktok", "direct"])
    lengths = np.minimum(rng.geometric(0.4, n), 8)
    touches = rng.choice(6, lengths.sum(), p=[0.3, 0.25, 0.1, 0.15, 0.1, 0.1])
    journey = np.repeat(np.arange(n), lengths)
    touched = np.zeros((n, 6), bool)
    touched[journey, touches] = True
    converted = rng.random(n) < 0.04 + touched @ np.array([0.03, 0.08, 0.06, 0.01, 0.02, 0.05])
    paths = pd.Series(channels[touches]).groupby(journey).agg(" > ".join).to_numpy()
    frame = pd.DataFrame({"path": paths, "conv": converted.astype(int), "null": (~converted).astype(int),
                          "value": converted * rng.gamma(2.0, 40.0, n)})
    return frame.groupby("path", as_index=False).sum()


@pytest.fixture(scope="module")
def oracle():
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
        return pytest.importorskip("ChannelAttribution", reason="channelattribution (test-only oracle) is not installed; "
                                   "install it with `pip install channelattribution` (needs a C++17 compiler)")


@pytest.mark.parametrize("order", [1, 2, 3])
def test_markov_agrees_with_channelattribution_within_5_percent_per_channel(oracle, order):
    frame = simulated_paths()
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = oracle.markov_model(frame, "path", "conv", var_value="value", var_null="null", order=order,
                                     nsim_start=1e6, seed=1, flg_pro=False, verbose=False).set_index("channel_name")
    ours = A.markov(A.Journeys.from_paths(frame["path"], frame["conv"], frame["value"], frame["null"]), order).table
    for column, their_column in (("conversions", "total_conversions"), ("value", "total_conversion_value")):
        ratio = ours[column] / theirs[their_column].reindex(ours.index)
        assert ratio.between(0.95, 1.05).all(), (column, ratio.to_dict())


def test_rule_based_models_agree_with_channelattribution(oracle):
    frame = simulated_paths()
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = oracle.heuristic_models(frame, "path", "conv", var_value="value", flg_pro=False).set_index("channel_name")
    journeys = A.Journeys.from_paths(frame["path"], frame["conv"], frame["value"], frame["null"])
    for name, model in (("first", A.first_touch), ("last", A.last_touch), ("linear", A.linear)):
        ours = model(journeys).table
        assert np.allclose(ours["conversions"], theirs[f"{name}_touch_conversions"].reindex(ours.index))
        assert np.allclose(ours["value"], theirs[f"{name}_touch_value"].reindex(ours.index))
    assert math.isclose(ours["conversions"].sum(), frame["conv"].sum())
