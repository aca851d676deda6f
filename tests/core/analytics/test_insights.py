"""The period summary: facts computed from kpis, plain deterministic sentences offline, and the
AI path through the real SDKs against a local fake server, falling back to the rules."""

from __future__ import annotations

from datetime import date

import pytest

from studio.core.analytics.insights import money, period_facts, summarize
from studio.core.analytics.kpis import kpis
from studio.core.errors import BadInput
from studio.core.library import Library
from tests.core.analytics.test_ingest import meta_csv, run_ingest, tiktok_csv
from tests.fake_ai import fake_ai
from tests.team_server import open_new_library

KEY = "sk-ant-test-3e9d1c7b"
PERIOD = (date(2026, 11, 3), date(2026, 11, 4))  # the period before: 1 and 2 November
# campaign, ad group, ad, date, currency, cost, impressions, reach, clicks, conversions, value, video views
TIKTOK = [
    ("Launch", "AG", "V1", "2026-11-01", "USD", 10, 1000, 800, 20, 2, 40, 100),
    ("Launch", "AG", "V1", "2026-11-02", "USD", 20, 2000, 1000, 40, 2, 60, 100),
    ("Launch", "AG", "V1", "2026-11-03", "USD", 30, 3000, 1500, 60, 3, 90, 100),
    ("Launch", "AG", "V1", "2026-11-04", "USD", 10, 1000, 500, 0, 0, 0, 100),
    ("Launch", "AG", "V1", "2026-11-04", "EUR", 9, 900, 900, 9, 1, 18, 100),
    ("Teaser", "AG", "V2", "2026-11-02", "USD", 5, 500, 500, 5, 1, 10, 0),
    ("Teaser", "AG", "V2", "2026-11-03", "USD", 15, 1500, 1500, 15, 1, 45, 0),
]
# campaign, ad set, ad, day, spend, impressions, reach, link clicks, clicks, purchases, value
META = [
    ("Autumn", "Set A", "Ad 1", "2026-11-01", 100, 10000, 8000, 90, 100, 4, 400),
    ("Autumn", "Set A", "Ad 1", "2026-11-03", 50, 5000, 4000, 45, 50, 5, 300),
]


def stock(lib, folder, reverse=False):
    files = [tiktok_csv(folder / "tiktok.csv", TIKTOK), meta_csv(folder / "meta.csv", META)]
    for path in reversed(files) if reverse else files:
        run_ingest(lib, path)
    return lib


@pytest.fixture(scope="module")
def stocked_library(tmp_path_factory, request):
    """Both reports imported once; each test gets its own copy of the library."""
    folder = tmp_path_factory.mktemp("stocked")
    with open_new_library(request, folder / "lib") as library:
        stock(library, folder)
    return folder / "lib"


@pytest.fixture
def stocked(stocked_library, tmp_path, copy_library):
    copy_library(stocked_library, tmp_path / "lib")
    with Library.open(tmp_path / "lib") as library:
        yield library


@pytest.fixture
def store(key_store):
    return key_store


def test_the_rules_summary_states_the_kpis(stocked):
    summary = summarize(stocked, *PERIOD)
    assert summary.source == "rules" and summary.note == "" and summary.text == "\n".join(summary.facts)
    assert summary.facts == [
        "Period: 2026-11-03 to 2026-11-04 (2 days), compared with 2026-11-01 to 2026-11-02.",
        ("In EUR: spend €9.00, conversions 1, conversion value €18.00, CPA €9.00, ROAS 2.00; 900 impressions, 9 clicks "
         "(CTR 1.00%); nothing in EUR in the previous period."),
        ("In USD: spend $105.00 (down 22.2% from $135.00), conversions 9 (unchanged), conversion value $435.00 "
         "(down 14.7% from $510.00), CPA $11.67 (down 22.2% from $15.00), ROAS 4.14 (up 9.7% from 3.78); "
         "10,500 impressions, 125 clicks (CTR 1.19%)."),
        ("Biggest changes in spend by campaign: Teaser (TikTok, USD) up 200.0% to $15.00 from $5.00; "
         "Autumn (Meta, USD) down 50.0% to $50.00 from $100.00; Launch (TikTok, USD) up 33.3% to $40.00 from $30.00."),
        ("Biggest changes in conversions by campaign: Autumn (Meta, USD) up 25.0% to 5 from 4; "  # a tie: by platform
         "Launch (TikTok, USD) down 25.0% to 3 from 4."),
        ("Biggest changes in CPA by campaign: Teaser (TikTok, USD) up 200.0% to $15.00 from $5.00; "
         "Launch (TikTok, USD) up 77.8% to $13.33 from $7.50; Autumn (Meta, USD) down 60.0% to $10.00 from $25.00."),
        ("Biggest changes in ROAS by campaign: Autumn (Meta, USD) up 50.0% to 6.00 from 4.00; "
         "Teaser (TikTok, USD) up 50.0% to 3.00 from 2.00; Launch (TikTok, USD) down 32.5% to 2.25 from 3.33."),
        "Spending this period but not in the previous one: Launch (TikTok, EUR) with €9.00.",
        "Best ROAS: Autumn (Meta, USD) at 6.00 on $50.00 spend. Worst ROAS: Launch (TikTok, EUR) at 2.00 on €9.00 spend.",
    ]
    # the same numbers as the KPI query, currencies never added up
    by_platform = kpis(stocked, "platform", *PERIOD, compare=False)
    usd = by_platform[by_platform.currency == "USD"]
    assert money(usd.spend.sum(), "USD") == "$105.00" and money(usd.conversion_value.sum(), "USD") == "$435.00"
    assert "$114.00" not in summary.text and "114.00" not in summary.text
    launch = kpis(stocked, ("platform", "campaign"), *PERIOD).query("campaign == 'Launch' and currency == 'USD'").iloc[0]
    assert f"to {money(launch.cpa, 'USD')} from {money(launch.cpa_prev, 'USD')}" in summary.facts[5]


def test_the_same_data_gives_the_same_text(stocked, tmp_path, new_library):
    other = new_library(tmp_path / "other")
    try:
        stock(other, tmp_path / "files", reverse=True)  # imported in the other order
        assert summarize(other, *PERIOD).text == summarize(stocked, *PERIOD).text
    finally:
        other.close()


def test_an_empty_period_says_where_the_data_is(stocked):
    with pytest.raises(BadInput, match="has data from 2026-11-01 to 2026-11-04. Choose a period with data"):
        summarize(stocked, date(2026, 12, 1), date(2026, 12, 31))


def test_an_empty_library_points_to_ingest(tmp_path, new_library):
    empty = new_library(tmp_path / "empty")
    try:
        with pytest.raises(BadInput, match="the library has none yet: import reports with `studio analytics ingest`"):
            summarize(empty, *PERIOD)
    finally:
        empty.close()


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_an_ai_writes_the_prose_from_the_local_facts(stocked, store, provider):
    store.set(provider, KEY)
    with fake_ai(KEY, reply="November started strong: spend fell 22.2% while ROAS rose.") as fake:
        endpoint = fake.openai_base if provider == "openai" else fake.base
        summary = summarize(stocked, *PERIOD, provider="auto", store=store, endpoint=endpoint)
    assert (summary.text, summary.source, summary.note) == ("November started strong: spend fell 22.2% while ROAS rose.", provider, "")
    assert summary.facts == period_facts(stocked, *PERIOD)
    [request] = fake.requests
    messages = request["body"]["messages"]
    prompt = messages[-1]["content"]
    assert all(f"- {fact}" in prompt for fact in summary.facts)
    system = request["body"]["system"] if provider == "anthropic" else messages[0]["content"]
    assert "invent nothing" in system


def test_numbers_the_ai_made_up_are_flagged(stocked, store):
    store.set("anthropic", KEY)
    reply = "Spend was $105.00, down 22.2%, and 1,234 new customers came, a 17% lift."
    with fake_ai(KEY, reply=reply) as fake:
        summary = summarize(stocked, *PERIOD, provider="anthropic", store=store, endpoint=fake.base)
    assert summary.source == "anthropic"
    assert summary.note == "Check these figures: the AI's text has 1,234, 17, which the computed facts do not."
    assert summary.text == f"{reply}\n\n{summary.note}"


@pytest.mark.parametrize(("fail", "key", "reply", "said"), [
    ([500, 500, 500], KEY, "Fine.", "Anthropic answered with an error (500: Simulated failure 500.)"),
    ([], "sk-ant-revoked-0000", "Fine.", "Anthropic refused the API key (401"),
    ([], KEY, "", "Anthropic returned an empty text."),
])
def test_a_failed_ai_call_falls_back_to_the_rules_with_a_note(stocked, store, fail, key, reply, said):
    store.set("anthropic", key)
    rules = summarize(stocked, *PERIOD)
    with fake_ai(KEY, reply=reply) as fake:
        fake.fail = list(fail)
        summary = summarize(stocked, *PERIOD, provider="anthropic", store=store, endpoint=fake.base)
    assert summary.source == "rules" and said in summary.note and key not in summary.note
    assert summary.note.endswith("This summary comes from the built-in rules.")
    assert summary.text == f"{rules.text}\n\n{summary.note}" and summary.facts == rules.facts


def test_no_key_falls_back_to_the_rules(stocked, store):
    summary = summarize(stocked, *PERIOD, provider="auto", store=store)
    assert summary.source == "rules" and "No AI key is set" in summary.note
