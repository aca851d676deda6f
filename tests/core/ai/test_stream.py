"""Streaming through the real Anthropic and OpenAI SDKs against a local fake server that speaks
their streaming wire formats: full streams, cut-off streams, retries, timeouts, cancellation,
refused keys, and the ai_calls row every call leaves behind."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from studio.core.ai.prompts import Request
from studio.core.ai.providers import AIError
from studio.core.ai.stream import run_stream, stream
from studio.core.db.models import AiCall
from studio.core.errors import Cancelled
from studio.core.jobs import JobState
from studio.core.ops.settings import set_setting
from studio.core.secrets import SecretStore
from tests.fake_ai import fake_ai

KEY = "sk-test-ai-7c1e5b2a9d"
REPLY = "Bread is baked by hand every morning [2]. Our flour is milled nearby [1] [9]."
PRICES = {"anthropic": (3.0, 15.0), "openai": (0.75, 4.5)}  # the defaults' prices, USD per million tokens


@dataclass(frozen=True)
class Snippet:  # what the knowledge base's search returns: where from, and the words
    source: str
    text: str


SOURCES = (Snippet("about.html", "Flour from the mill two villages away."), Snippet("home.html", "Baked by hand before dawn."))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The real encrypted-file keyring with both keys (its every step costs seconds: shared)."""
    s = SecretStore(file_path=tmp_path_factory.mktemp("keys") / "keys.cfg")
    s.unlock("correct horse battery")
    for provider in ("anthropic", "openai"):
        s.set(provider, KEY)
    return s


@pytest.fixture
def empty_store(tmp_path):
    s = SecretStore(file_path=tmp_path / "keys.cfg")
    s.unlock("correct horse battery")
    return s


@pytest.fixture
def fake():
    with fake_ai(KEY, reply=REPLY) as server:
        yield server


def endpoint(fake, provider):
    return fake.openai_base if provider == "openai" else fake.base


def collect(request, **kw):
    """(pieces, result) of one streamed answer."""
    async def go():
        async with stream(request, **kw) as s:
            pieces = [piece async for piece in s]
        return pieces, s.result
    return asyncio.run(go())


def calls(lib):
    with lib.read() as conn:
        return conn.execute(select(AiCall.__table__).order_by(AiCall.id)).all()


@pytest.fixture(params=["anthropic", "openai"])
def provider(request):
    return request.param


def test_a_full_stream_with_citations_usage_and_its_cost_row(provider, store, fake, lib):
    request = Request("generate", text="Why our bread", topic="the brief's Insight section", sources=SOURCES,
                      provider=provider, purpose="Brief: generate Insight")
    pieces, result = collect(request, lib=lib, store=store, endpoint=endpoint(fake, provider))
    assert pieces == fake.words and len(pieces) > 5  # word by word, as the service sent them
    assert (result.text, result.status, result.reason, result.provider) == (REPLY, "done", None, provider)
    assert result.citations == (2, 1) and result.cited == (SOURCES[1], SOURCES[0])  # [9] names no source
    [sent] = fake.requests
    body = sent["body"]
    assert body["stream"] is True and sent["key"] == KEY
    prompt = body["messages"][-1]["content"]
    assert "[1] about.html: Flour from the mill" in prompt and "[2] home.html: Baked by hand" in prompt
    system = body["system"] if provider == "anthropic" else body["messages"][0]["content"]
    assert "cite each one you use as [n]" in system
    if provider == "openai":
        assert body["stream_options"] == {"include_usage": True}
    assert result.usage.output_tokens == len(fake.words) and result.usage.input_tokens > 20
    rate_in, rate_out = PRICES[provider]
    expected = (result.usage.input_tokens * rate_in + len(fake.words) * rate_out) / 1e6
    [row] = calls(lib)
    assert (row.provider, row.model, row.purpose, row.status, row.error) == (provider, body["model"], "Brief: generate Insight", "done", None)
    assert (row.input_tokens, row.output_tokens) == (result.usage.input_tokens, len(fake.words))
    assert row.cost_usd == pytest.approx(expected) and result.cost_usd == pytest.approx(expected)
    assert row.seconds >= 0


def test_a_stream_cut_off_midway_keeps_the_partial_text_and_is_not_retried(provider, store, fake, lib):
    fake.cut_after = 3
    pieces, result = collect(Request("generate", text="bread", provider=provider), lib=lib, store=store,
                             endpoint=endpoint(fake, provider))
    assert pieces == fake.words[:3]
    assert result.status == "partial" and result.text == "".join(fake.words[:3]).strip()
    assert "dropped" in result.reason and "text so far is kept" in result.reason
    assert len(fake.requests) == 1  # never sent again: that would duplicate the words already shown
    [row] = calls(lib)
    assert (row.status, row.error) == ("partial", result.reason)
    assert row.output_tokens >= 3  # billed words are counted even without the final usage


def test_a_timeout_mid_stream_keeps_the_partial_text(provider, store, fake, lib):
    fake.stall_after, fake.stall = 2, 1.5
    started = time.monotonic()
    pieces, result = collect(Request("generate", text="bread", provider=provider, timeout=0.3), lib=lib, store=store,
                             endpoint=endpoint(fake, provider))
    assert pieces == fake.words[:2] and result.status == "partial"
    title = "Anthropic" if provider == "anthropic" else "OpenAI"
    assert result.reason == f"{title} sent nothing more for 0.3 s. The text so far is kept."
    assert len(fake.requests) == 1 and calls(lib)[0].status == "partial"
    assert time.monotonic() - started < 6  # the key lookup included; the stall alone would be 1.5 s past the timeout


def test_a_429_waits_as_retry_after_says_then_succeeds(provider, store, fake, lib):
    fake.fail, fake.retry_after = [429], "0.6"
    pieces, result = collect(Request("generate", text="bread", provider=provider), lib=lib, store=store,
                             endpoint=endpoint(fake, provider))
    assert result.status == "done" and "".join(pieces) == REPLY
    first, second = fake.requests
    assert second["at"] - first["at"] >= 0.6
    assert [r.status for r in calls(lib)] == ["done"]  # one call, one row, however many tries


def test_server_errors_before_the_first_word_are_retried_and_rate_limits_that_last_fail(provider, store, fake, lib):
    fake.fail = [500, 500]
    assert collect(Request("generate", text="bread", provider=provider, retries=2), lib=lib, store=store,
                   endpoint=endpoint(fake, provider))[1].status == "done"
    assert len(fake.requests) == 3
    fake.fail, fake.retry_after = [429], "3600"  # longer than an assist should hang: fail now, say why
    with pytest.raises(AIError, match=r"is limiting requests \(429"):
        collect(Request("generate", text="bread", provider=provider), lib=lib, store=store, endpoint=endpoint(fake, provider))
    assert len(fake.requests) == 4
    assert [r.status for r in calls(lib)] == ["done", "failed"] and "429" in calls(lib)[1].error


def test_an_invalid_key_says_which_key_to_fix(provider, store, fake, lib):
    wrong = "sk-revoked-0001"
    store.set(provider, wrong)
    try:
        with pytest.raises(AIError) as caught:
            collect(Request("improve", text="Good bread.", provider=provider), lib=lib, store=store, endpoint=endpoint(fake, provider))
    finally:
        store.set(provider, KEY)
    title = "Anthropic" if provider == "anthropic" else "OpenAI"
    message = str(caught.value)
    assert caught.value.bad_key == provider
    assert message.startswith(f"{title} refused the API key (401: Incorrect API key provided.)")
    assert f"replace the {title} key in Settings ▸ Accounts & keys" in message and wrong not in message
    assert len(fake.requests) == 1  # a refused key is not retried
    [row] = calls(lib)
    assert row.status == "failed" and wrong not in row.error and row.output_tokens == 0


def test_the_token_limit_marks_the_answer_partial(provider, store, fake, lib):
    fake.stop_reason = "max_tokens"
    _, result = collect(Request("generate", text="bread", provider=provider, max_tokens=12), lib=lib, store=store,
                        endpoint=endpoint(fake, provider))
    assert result.status == "partial" and result.text == REPLY
    assert result.reason == "The answer reached the limit of 12 tokens and was cut there."


def test_cancel_stops_a_job_promptly_even_while_the_service_is_silent(provider, store, fake, lib):
    fake.stall_after, fake.stall = 2, 5.0
    state, seen = JobState(), []

    def on_text(piece):
        seen.append(piece)
        if len(seen) == 2:  # the user presses Cancel; the service then says nothing for 5 s
            threading.Timer(0.2, state.cancel).start()

    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_stream(Request("generate", text="bread", provider=provider, timeout=30), state, on_text, lib=lib, store=store,
                   endpoint=endpoint(fake, provider))
    cancelled_at = time.monotonic() - started
    assert seen == fake.words[:2]
    [row] = calls(lib)
    assert row.status == "cancelled" and row.output_tokens >= 2
    assert row.seconds < 2.0 and cancelled_at < 8  # row.seconds excludes the key lookup: stopped long before the 5 s stall ended


def test_leaving_early_closes_the_stream_and_counts_a_cancelled_call(store, fake, lib):
    async def first_word():
        async with stream(Request("generate", text="bread"), lib=lib, store=store, endpoint=fake.base) as s:
            async for piece in s:
                return piece, s.provider

    assert asyncio.run(first_word()) == (fake.words[0], "anthropic")  # "auto" took the provider with a key
    assert [r.status for r in calls(lib)] == ["cancelled"]


def test_a_job_streams_to_its_end_with_the_model_the_settings_choose(store, fake, lib):
    set_setting(lib, "ai.model.openai", "gpt-5-mini")
    state, seen = JobState(), []
    result = run_stream(Request("shorten", text="Long text. More text.", provider="openai"), state, seen.append, lib=lib, store=store,
                        endpoint=fake.openai_base)
    assert "".join(seen) == REPLY and result.status == "done" and state.status == "OpenAI is writing…"
    assert fake.requests[0]["body"]["model"] == result.model == "gpt-5-mini"
    assert result.cost_usd == pytest.approx((result.usage.input_tokens * 0.25 + len(fake.words) * 2.0) / 1e6)


def test_no_key_means_the_offline_writer_and_a_chosen_provider_without_a_key_says_so(empty_store, lib):
    store = empty_store
    _, result = collect(Request("generate", text="Bread baked by hand.", sources=SOURCES), lib=lib, store=store)
    assert (result.provider, result.model, result.status) == ("offline", "templates-1", "done")
    with pytest.raises(AIError, match="No OpenAI API key is set: add one in Settings ▸ Accounts & keys") as caught:
        collect(Request("generate", text="bread", provider="openai"), lib=lib, store=store)
    assert caught.value.bad_key == "openai"
    assert [(r.provider, r.status) for r in calls(lib)] == [("offline", "done")]  # no call, no row
