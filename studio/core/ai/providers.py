"""One call to a language model through the provider's own SDK.

    reply = complete("Summarize: …", system="You are an analyst.", provider="auto", lib=lib)
    reply.text, reply.provider, reply.model, reply.usage.output_tokens

Keys come from the keyring (studio.core.secrets); "auto" takes the first provider in
PROVIDERS that has one. Models: DEFAULT_MODELS, overridden per provider by the library
setting `ai.model.<provider>`, overridden per call by model=. Every failure (no key, a
refused key, a rate limit, a timeout, an unreachable service, any other answer than
success) is an AIError whose message says what happened and what to do, never with the key in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import BadInput, StudioError
from studio.core.secrets import SERVICES, SecretStore

PROVIDERS = ("anthropic", "openai")  # the order "auto" tries them in
DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-6", "openai": "gpt-5.4-mini"}
MODEL_SETTING = "ai.model."  # + provider: a library setting naming the model to use
KEYS_HINT = "Settings ▸ Accounts & keys"


class AIError(StudioError):
    """No provider could be used, or the provider's call failed. bad_key: the provider whose key
    was refused (the settings page points at that key), else None."""

    def __init__(self, message: str, *, bad_key: str | None = None):
        super().__init__(message)
        self.bad_key = bad_key


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Completion:
    text: str
    provider: str
    model: str
    usage: Usage


def default_model(provider: str, lib=None) -> str:
    """The model for provider: the library's setting when there is one, else DEFAULT_MODELS."""
    _check_provider(provider)
    if lib is not None:
        from studio.core.ops.settings import get_setting

        chosen = get_setting(lib, MODEL_SETTING + provider)
        if isinstance(chosen, str) and chosen.strip():
            return chosen.strip()
    return DEFAULT_MODELS[provider]


def pick_provider(provider: str = "auto", store: SecretStore | None = None) -> tuple[str, str]:
    """(provider, key) for provider, or for the first one with a key when "auto"."""
    store = store if store is not None else SecretStore()
    candidates = PROVIDERS if provider == "auto" else (_check_provider(provider),)
    for name in candidates:
        key = store.get(name)
        if key:
            return name, key
    if provider == "auto":
        raise AIError(f"No AI key is set: add an Anthropic or OpenAI API key in {KEYS_HINT}.")
    raise AIError(f"No {SERVICES[provider].title} API key is set: add one in {KEYS_HINT}, or choose another provider.",
                  bad_key=provider)


def complete(prompt: str, *, system: str | None = None, provider: str = "auto", model: str | None = None,
             max_tokens: int = 1024, timeout: float = 60.0, endpoint: str | None = None, retries: int = 2,
             store: SecretStore | None = None, lib=None) -> Completion:
    """Send prompt (and the system instructions) to the provider and return its answer.

    endpoint replaces the provider's address as the SDK's base_url (a proxy, a local test
    server; OpenAI's includes the /v1). retries: the SDK's own retries, with backoff, of
    rate limits, timeouts and server errors. store: the key store (default: the OS keyring)."""
    name, key = pick_provider(provider, store)
    model = model or default_model(name, lib)
    try:
        if name == "anthropic":
            return _anthropic(key, prompt, system, model, max_tokens, timeout, endpoint, retries)
        return _openai(key, prompt, system, model, max_tokens, timeout, endpoint, retries)
    except Exception as exc:  # the SDKs' errors become a message; anything else is a bug and goes up
        error = explain(name, exc, timeout, key)
        if error is None:
            raise
        raise error from None


def _anthropic(key, prompt, system, model, max_tokens, timeout, endpoint, retries) -> Completion:
    import anthropic

    client = anthropic.Anthropic(api_key=key, base_url=endpoint, timeout=timeout, max_retries=retries)
    extra = {"system": system} if system else {}
    reply = client.messages.create(model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}], **extra)
    text = "".join(block.text for block in reply.content if block.type == "text")
    return Completion(text.strip(), "anthropic", reply.model, Usage(reply.usage.input_tokens, reply.usage.output_tokens))


def _openai(key, prompt, system, model, max_tokens, timeout, endpoint, retries) -> Completion:
    import openai

    client = openai.OpenAI(api_key=key, base_url=endpoint, timeout=timeout, max_retries=retries)
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    reply = client.chat.completions.create(model=model, max_completion_tokens=max_tokens, messages=messages)
    usage = Usage(reply.usage.prompt_tokens, reply.usage.completion_tokens) if reply.usage else Usage(0, 0)
    return Completion((reply.choices[0].message.content or "").strip(), "openai", reply.model, usage)


def explain(provider: str, exc: Exception, timeout: float, key: str = "") -> AIError | None:
    """An AIError for a user about an SDK error (the key never in it), or None when exc is not one."""
    import anthropic
    import openai

    sdk = anthropic if provider == "anthropic" else openai
    if not isinstance(exc, sdk.APIError):
        return None
    message = _message(provider, sdk, exc, timeout)
    refused = isinstance(exc, (sdk.AuthenticationError, sdk.PermissionDeniedError))
    return AIError(message.replace(key, "[secret]") if key else message, bad_key=provider if refused else None)


def _message(provider: str, sdk, exc, timeout: float) -> str:
    title = SERVICES[provider].title
    if isinstance(exc, sdk.APITimeoutError):
        return f"{title} did not answer within {timeout:g} s. Try again later, or allow more time."
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return f"{title} could not be reached ({cause or exc}). Check the network connection or proxy and try again."
    detail = _detail(exc)
    if isinstance(exc, (sdk.AuthenticationError, sdk.PermissionDeniedError)):
        return f"{title} refused the API key ({exc.status_code}: {detail}). Check or replace the {title} key in {KEYS_HINT}."
    if isinstance(exc, sdk.RateLimitError):
        return f"{title} is limiting requests (429: {detail}). Wait a minute and try again, or check the account's plan."
    if isinstance(exc, sdk.NotFoundError):
        return f"{title} does not know the model or address asked for (404: {detail}). Check the model name in the settings."
    if isinstance(exc, sdk.APIStatusError):
        return f"{title} answered with an error ({exc.status_code}: {detail}). Try again later."
    return f"{title} failed: {detail}"


def _detail(exc) -> str:
    """The provider's own words from an error answer, short."""
    body = getattr(exc, "body", None)  # Anthropic's: {"type": "error", "error": {...}}; OpenAI's: the error itself
    error = body.get("error", body) if isinstance(body, dict) else None
    text = error.get("message") if isinstance(error, dict) else None
    return str(text or exc.message or type(exc).__name__).splitlines()[0][:300]


def _check_provider(provider: str) -> str:
    if provider not in PROVIDERS:
        raise BadInput(f"Unknown AI provider {provider!r}; choose auto, {', '.join(PROVIDERS)}.")
    return provider
