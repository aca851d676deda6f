"""The provider layer through the real Anthropic and OpenAI SDKs against a local fake server:
keys from the real encrypted-file keyring, errors as messages without the key."""

from __future__ import annotations

import pytest

from studio.core.ai.providers import (
    DEFAULT_MODELS,
    AIError,
    complete,
    default_model,
    pick_provider,
)
from studio.core.errors import BadInput
from studio.core.ops.settings import set_setting
from tests.fake_ai import fake_ai

KEY = "sk-test-ai-7c1e5b2a9d"


@pytest.fixture
def store(key_store):
    return key_store


@pytest.fixture
def fake():
    with fake_ai(KEY, reply="Spend rose by half.") as server:
        yield server


def base_url(fake, provider):
    return fake.openai_base if provider == "openai" else fake.base


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_completion_through_each_sdk(store, fake, provider):
    store.set(provider, KEY)
    reply = complete("Summarize the week.", system="You are an analyst.", provider=provider, max_tokens=300,
                     endpoint=base_url(fake, provider), store=store)
    assert (reply.text, reply.provider, reply.model) == ("Spend rose by half.", provider, DEFAULT_MODELS[provider])
    assert reply.usage.output_tokens == 4 and reply.usage.input_tokens > 0
    [request] = fake.requests
    assert request["key"] == KEY
    body = request["body"]
    if provider == "anthropic":
        assert request["path"] == "/v1/messages" and body["system"] == "You are an analyst." and body["max_tokens"] == 300
        assert body["messages"] == [{"role": "user", "content": "Summarize the week."}]
    else:
        assert request["path"] == "/v1/chat/completions" and body["max_completion_tokens"] == 300
        assert body["messages"] == [{"role": "system", "content": "You are an analyst."},
                                    {"role": "user", "content": "Summarize the week."}]


def test_auto_takes_the_first_provider_with_a_key_and_settings_choose_the_model(store, fake, lib):
    store.set("openai", KEY)
    assert pick_provider("auto", store) == ("openai", KEY)
    set_setting(lib, "ai.model.openai", "gpt-test-large")
    reply = complete("Hello", endpoint=fake.openai_base, store=store, lib=lib)
    assert (reply.provider, reply.model) == ("openai", "gpt-test-large")
    assert fake.requests[-1]["body"]["model"] == "gpt-test-large"
    assert complete("Hello", model="gpt-per-call", endpoint=fake.openai_base, store=store, lib=lib).model == "gpt-per-call"
    store.set("anthropic", KEY)
    assert pick_provider("auto", store)[0] == "anthropic"
    assert default_model("anthropic", lib) == DEFAULT_MODELS["anthropic"]


def test_no_key_says_where_to_add_one(store):
    with pytest.raises(AIError, match="No AI key is set: add an Anthropic or OpenAI API key in Settings"):
        complete("Hello", store=store)
    store.set("openai", KEY)
    with pytest.raises(AIError, match="No Anthropic API key is set"):
        complete("Hello", provider="anthropic", store=store)
    with pytest.raises(BadInput, match="choose auto, anthropic, openai"):
        complete("Hello", provider="mistral", store=store)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_refused_key_is_a_message_without_the_key(store, fake, provider):
    wrong = "sk-wrong-key-123456"
    store.set(provider, wrong)
    with pytest.raises(AIError) as caught:
        complete("Hello", provider=provider, endpoint=base_url(fake, provider), store=store)
    message = str(caught.value)
    assert "refused the API key (401: Incorrect API key provided.)" in message and "Accounts & keys" in message
    assert wrong not in message


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_rate_limits_and_server_errors(store, fake, provider):
    store.set(provider, KEY)
    endpoint = base_url(fake, provider)
    fake.fail = [429]
    with pytest.raises(AIError, match="is limiting requests \\(429"):
        complete("Hello", provider=provider, endpoint=endpoint, retries=0, store=store)
    fake.fail = [500, 500]
    with pytest.raises(AIError, match="answered with an error \\(500: Simulated failure 500.\\)"):
        complete("Hello", provider=provider, endpoint=endpoint, retries=1, store=store)
    assert len(fake.requests) == 3  # the 500 was retried once
    fake.fail, fake.retry_after = [429], "0.01"  # the SDK waits what the 429 asks: keep the test quick
    assert complete("Hello", provider=provider, endpoint=endpoint, retries=1, store=store).text == "Spend rose by half."


def test_a_timeout_and_an_unreachable_service(store, fake):
    store.set("anthropic", KEY)
    fake.delay = 0.8  # well past the 0.3 s allowed; the server waits it out when it shuts down
    with pytest.raises(AIError, match="Anthropic did not answer within 0.3 s"):
        complete("Hello", endpoint=fake.base, timeout=0.3, retries=0, store=store)
    with pytest.raises(AIError, match="Anthropic could not be reached") as caught:
        complete("Hello", endpoint="http://127.0.0.1:9", timeout=2, retries=0, store=store)
    assert KEY not in str(caught.value)
