"""Copy against each spec's text fields, counted as each platform counts."""

from __future__ import annotations

import pytest

from studio.core.specs.catalog import shipped_catalog
from studio.core.specs.text import char_count
from studio.core.specs.validate import check_copy, has_errors

CATALOG = shipped_catalog()
TEXT_SPECS = sorted(s.id for s in CATALOG.entries.values() if s.text_fields)


def fitting_copy(spec) -> dict[str, list[str]]:
    copy = {}
    for tf in spec.text_fields:
        size = min(tf.max_chars or 20, tf.truncates_at or 20, 20)
        size = max(size, tf.min_chars or 1)
        copy[tf.name] = [f"{i}" + "a" * (size - 1) for i in range(max(tf.min_count, 1))]
    return copy


@pytest.mark.parametrize("spec_id", TEXT_SPECS)
def test_copy_written_to_the_spec_passes(spec_id):
    findings = check_copy(fitting_copy(CATALOG.get(spec_id)), CATALOG.get(spec_id))
    assert findings == []


@pytest.mark.parametrize("spec_id", TEXT_SPECS)
def test_copy_over_the_limit_fails_or_warns_where_the_platform_only_truncates(spec_id):
    spec = CATALOG.get(spec_id)
    tf = spec.text_fields[0]
    limit = tf.max_chars or tf.truncates_at
    copy = fitting_copy(spec) | {tf.name: ["x" * (limit + 3)] + fitting_copy(spec)[tf.name][1:]}
    finding = next(f for f in check_copy(copy, spec) if f.field == tf.name)
    expected = "error" if tf.max_chars and f"text_fields.{tf.name}" not in spec.unconfirmed else "warning"
    assert finding.severity == expected
    assert str(limit) in finding.message


def test_google_counts_wide_characters_twice():
    assert char_count("秋のロースト", wide_counts_double=True) == 12
    assert char_count("Autumn roast", wide_counts_double=True) == 12
    assert char_count("ｶﾌｪ", wide_counts_double=True) == 3  # half-width katakana counts one
    spec = CATALOG.get("google.rsa")
    copy = fitting_copy(spec)
    copy["headline"][0] = "秋" * 15  # 30 double-width units: just fits
    assert not has_errors(check_copy(copy, spec))
    copy["headline"][0] = "秋" * 16
    over = next(f for f in check_copy(copy, spec) if f.code == "copy_length")
    assert "32 characters (wide characters count as two)" in over.message and "by 2" in over.hint


def test_counts_of_headlines_and_descriptions():
    spec = CATALOG.get("google.rsa")
    copy = fitting_copy(spec) | {"headline": ["Fresh", "Roasted"]}
    few = next(f for f in check_copy(copy, spec) if f.code == "copy_count")
    assert few.severity == "error" and "at least 3" in few.message and "1 more" in few.hint
    copy = fitting_copy(spec) | {"headline": [f"Headline {i}" for i in range(16)]}
    many = next(f for f in check_copy(copy, spec) if f.code == "copy_count")
    assert many.severity == "warning" and "at most 15" in many.message and "first 15 are used" in many.message


def test_meta_truncation_is_a_warning_that_shows_the_cut():
    spec = CATALOG.get("meta.feed_image")
    text = "Our autumn roast is here: " + "slow-roasted beans from small farms, " * 4
    finding = next(f for f in check_copy({"primary_text": [text]}, spec) if f.field == "primary_text")
    assert finding.severity == "warning" and text[:125] in finding.message


def test_tiktoks_disputed_minimum_only_warns():
    spec = CATALOG.get("tiktok.infeed")
    finding = next(f for f in check_copy({"ad_text": ["Buy now"]}, spec) if f.field == "ad_text")
    assert finding.severity == "warning" and "unconfirmed" in finding.message
