"""Competitor comparison: distinctive terms, overlap, and palette distance."""

from __future__ import annotations

import pytest

from studio.core.errors import BadInput
from studio.core.research.compare import compare_brands, palette_distance

BEAN_CO = [
    "We roast single-origin beans in small batches. Every bag shows its roast date and the farm it came from.",
    "Our farmers in Huila and Sidamo are paid well above fair-trade prices. Direct trade with our farmers "
    "means we know every harvest.",
    "Single-origin espresso and filter roasts, with the roast date on every bag. Subscriptions ship fresh "
    "beans with free delivery.",
]
DAILY_GRIND = [
    "Fast coffee for busy mornings. Our drive-through serves espresso and cold brew in under two minutes.",
    "Order ahead in the app and earn loyalty points. Loyalty points on every cold brew.",
    "Subscriptions ship beans with free delivery. Cold brew cans in the app.",
]
HIGH_STREET = [
    "Loyalty points on every drink at our high street cafes. Earn loyalty points with the app.",
    "Cold brew and iced lattes all summer, and loyalty points on every order.",
]


def terms_of(comparison, brand):
    return [t.term for b in comparison.brands if b.brand == brand for t in b.terms]


def test_each_brand_gets_the_terms_that_set_it_apart():
    result = compare_brands({"Bean & Co.": BEAN_CO, "Daily Grind": DAILY_GRIND})
    bean, grind = terms_of(result, "Bean & Co."), terms_of(result, "Daily Grind")
    assert bean[0] == "roast"  # said four times, and only by Bean & Co.
    assert {"single origin", "roast date", "farmers"} <= set(bean[:6])
    assert {"cold brew", "loyalty points"} <= set(grind[:3])
    assert not set(bean) & set(grind)
    assert "beans" not in bean + grind and "delivery" not in bean + grind  # both say those
    assert "cold" not in grind and "brew" not in grind  # "cold brew" already names them
    assert "date bag" not in bean  # never side by side: "date on every bag"
    scores = [t.score for b in result.brands for t in b.terms]
    assert all(s >= 0.5 for s in scores)
    assert result.brands[0].summary.startswith("Bean & Co. stands apart with: roast, ")


def test_overlap_names_what_both_say_and_scores_it_from_zero_to_one():
    result = compare_brands({"Bean & Co.": BEAN_CO, "Daily Grind": DAILY_GRIND})
    (overlap,) = result.overlaps
    assert {"beans", "delivery", "espresso", "subscriptions"} <= set(overlap.shared)
    assert 0 < overlap.similarity < 0.5
    assert "both talk about" in overlap.summary and result.summary == overlap.summary
    same = compare_brands({"A": BEAN_CO, "B": BEAN_CO})
    assert same.overlaps[0].similarity == pytest.approx(1.0)
    assert same.brands[0].terms == [] and "no words" in same.brands[0].summary
    apart = compare_brands({"A": ["Roast beans farmers harvest."], "B": ["Loyalty points drive-through."]})
    assert apart.overlaps[0].similarity == 0 and apart.overlaps[0].shared == []
    assert "share no terms" in apart.overlaps[0].summary


def test_three_brands_put_the_most_alike_pair_first():
    result = compare_brands({"Bean & Co.": BEAN_CO, "Daily Grind": DAILY_GRIND, "High Street": HIGH_STREET})
    assert len(result.overlaps) == 3
    assert {result.overlaps[0].a, result.overlaps[0].b} == {"Daily Grind", "High Street"}
    assert [o.similarity for o in result.overlaps] == sorted((o.similarity for o in result.overlaps), reverse=True)
    assert result.summary.startswith("Of 3 brands, Daily Grind and High Street are the most alike")


def test_comparing_needs_two_brands_with_text():
    with pytest.raises(BadInput, match="at least two brands"):
        compare_brands({"Bean & Co.": BEAN_CO})
    with pytest.raises(BadInput, match="Daily Grind has no text.*import its documents"):
        compare_brands({"Bean & Co.": BEAN_CO, "Daily Grind": ["", "  ", "42 £30"]})
    with pytest.raises(BadInput, match="Bean & Co. has no text"):
        compare_brands({"Bean & Co.": [], "Daily Grind": ["the and of"]})


def test_palette_distance_pairs_colours_so_the_total_difference_is_least():
    # the same palette, a shade off and listed in another order
    ours = ["#1F3A5F", "#C8A165", "#F5F0E6"]
    theirs = ["#F4EFE4", "#D2A86E", "#1E3B61"]
    result = palette_distance(ours, theirs, "Bean & Co.", "Daily Grind")
    assert {(p.a, p.b) for p in result.pairs} == {("#1F3A5F", "#1E3B61"), ("#C8A165", "#D2A86E"),
                                                  ("#F5F0E6", "#F4EFE4")}
    assert all(p.delta_e < 5 for p in result.pairs) and result.mean_delta_e < 5
    assert [p.delta_e for p in result.pairs] == sorted(p.delta_e for p in result.pairs)
    assert result.unmatched_a == result.unmatched_b == []
    assert "Bean & Co. and Daily Grind are nearly the same" in result.summary


def test_palette_distance_is_optimal_not_greedy():
    # greedy from the first colour would pair the two middle greys (ΔE 3.6) and leave the dark grey
    # to the light one (16.9); the least total pairs each grey with its other neighbour (10.9 + 1.9)
    a = ["#777777", "#696969"]
    b = ["#6E6E6E", "#959595", "#FFFFFF"]
    result = palette_distance(a, b)
    assert {(p.a, p.b) for p in result.pairs} == {("#696969", "#6E6E6E"), ("#777777", "#959595")}
    assert result.mean_delta_e == pytest.approx((1.93 + 10.90) / 2, abs=0.01)
    assert result.unmatched_b == ["#FFFFFF"] and result.unmatched_a == []
    assert "1 colour of the larger palette had no partner" in result.summary


def test_very_different_palettes_say_so():
    result = palette_distance(["#FF0000", "#FFFF00"], ["#0000FF", "#00A000"], "Red Brand", "Cool Brand")
    assert result.mean_delta_e > 30 and "very different" in result.summary


def test_bad_palettes_are_named():
    with pytest.raises(BadInput, match="'blue' is not a #RRGGBB colour"):
        palette_distance(["#112233", "blue"], ["#112233"])
    with pytest.raises(BadInput, match="Daily Grind has no colours"):
        palette_distance(["#112233"], [], "Bean & Co.", "Daily Grind")
