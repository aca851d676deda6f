"""Streaming AI answers through the Anthropic and OpenAI SDKs, or the offline template writer.

In asyncio code:

    async with stream(request, lib=lib) as s:      # s.provider, s.model are known here
        async for piece in s:                       # text as it arrives
            show(piece)
    s.result                                        # AIResult: text, status, citations, usage, cost

In a job (a worker thread): result = run_stream(request, state, on_text, lib=lib); Cancel on the
job's state stops the stream within a fraction of a second and raises Cancelled.

How a call ends:
- done: the service finished the answer.
- partial: the answer was cut off (connection dropped, no words within request.timeout, the token
  limit reached, the stream ended without its end mark): the text so far is the result, with
  the reason. It is never retried, so no duplicate text.
- failed: an AIError whose message says what to do (bad_key names the key to fix). Rate limits
  (429, waiting as long as retry-after says), server errors, timeouts and dropped connections
  before the first word are retried request.retries times with backoff first.
- cancelled: the caller stopped reading (left the with block, or its task was cancelled).
Each ends with one ai_calls row (studio.core.ai.costs) when a library is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Self

from studio.core.ai import costs, offline
from studio.core.ai.prompts import Request, build_prompt, citations
from studio.core.ai.providers import (
    AIError,
    Usage,
    default_model,
    explain,
    pick_provider,
)
from studio.core.db.models import utcnow
from studio.core.errors import SecretsUnavailable
from studio.core.secrets import SERVICES, SecretStore

log = logging.getLogger(__name__)

BACKOFF = 0.5  # seconds before the first retry; doubles each time
MAX_WAIT = 60.0  # a longer retry-after fails the call instead of hanging the assist
CANCEL_POLL = 0.05  # seconds between looks at a job's Cancel flag


def _transport_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """(network errors, timeouts) of the HTTP library under the SDKs: they read the stream with
    httpx2 in current versions, httpx before, and its errors reach us unwrapped mid-stream."""
    import importlib

    modules = []
    for name in ("httpx2", "httpx"):
        with contextlib.suppress(ImportError):
            modules.append(importlib.import_module(name))
    return tuple(m.TransportError for m in modules), tuple(m.TimeoutException for m in modules)


NETWORK_ERRORS, TIMEOUTS = _transport_errors()


@dataclass(frozen=True)
class AIResult:
    """A finished (done) or cut-off (partial, with the reason) answer. citations: the source
    numbers the text cites, in order of first use; cited: those sources (request.grounding)."""

    text: str
    provider: str
    model: str
    status: str  # done | partial
    reason: str | None
    citations: tuple[int, ...]
    cited: tuple[Any, ...]
    usage: Usage
    cost_usd: float | None  # None: the model's price is unknown
    seconds: float


@dataclass
class _Tally:
    """What the service said about the answer besides its text."""

    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop: str | None = None  # the service's stop reason
    finished: bool = False  # the stream's end mark arrived


def stream(request: Request, *, lib=None, store: SecretStore | None = None, endpoint: str | None = None) -> AIStream:
    """An answer to request, streamed. lib: the library (model settings, ai_calls rows); store:
    the key store (default: the OS keyring); endpoint: replaces the provider's base_url (a proxy,
    a test server; OpenAI's includes the /v1)."""
    return AIStream(request, lib, store, endpoint)


def choose(request: Request, store: SecretStore | None = None, lib=None) -> tuple[str, str | None, str]:
    """(provider, key, model) for request. "auto" takes the first provider with a key, else the
    offline writer (also when the keyring cannot be opened)."""
    if request.provider == "offline":
        return "offline", None, offline.MODEL
    if request.provider == "auto":
        try:
            name, key = pick_provider("auto", store)
        except (AIError, SecretsUnavailable) as exc:
            log.info("AI assist uses the offline writer: %s", exc)
            return "offline", None, offline.MODEL
    else:
        name, key = pick_provider(request.provider, store)
    return name, key, request.model or default_model(name, lib)


class AIStream:
    """The async context manager and iterator stream() returns; see the module's docstring."""

    def __init__(self, request: Request, lib, store, endpoint):
        self.request = request
        self.result: AIResult | None = None
        self.provider = self.model = ""
        self._lib, self._store, self._endpoint = lib, store, endpoint
        self._parts: list[str] = []
        self._tally: _Tally | None = None
        self._ended = False

    @property
    def text(self) -> str:
        """The text so far."""
        return "".join(self._parts)

    async def __aenter__(self) -> Self:
        self.provider, self._key, self.model = choose(self.request, self._store, self._lib)
        self._system, self._prompt = build_prompt(self.request)
        # the offline text is written up front: bad input fails here, before any call is counted
        self._offline_text = offline.write(self.request) if self.provider == "offline" else ""
        self._started, self._clock = utcnow(), time.monotonic()
        self._pieces_gen = self._pieces()
        return self

    def __aiter__(self) -> AsyncIterator[str]:
        return self._pieces_gen

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        await self._pieces_gen.aclose()  # closes the HTTP response when the caller stopped early
        if not self._ended:
            why = None if exc is None or isinstance(exc, asyncio.CancelledError) else f"The caller failed: {exc!r}"
            self._end("cancelled", why)
        return False

    # ---- the call --------------------------------------------------------------------------
    async def _pieces(self) -> AsyncIterator[str]:
        attempt = 0
        while True:
            self._tally = _Tally(self.model)
            try:
                async with contextlib.aclosing(self._events(self._tally)) as events:
                    async for piece in events:
                        self._parts.append(piece)
                        yield piece
            except (*NETWORK_ERRORS, *_sdk_errors(self.provider)) as exc:
                error = self._error(exc)
                if self._parts:  # words already shown: keep them, never retry into a duplicate
                    self._finish("partial", f"{error} The text so far is kept.")
                    return
                wait = self._retry_wait(exc, attempt)
                if wait is None:
                    self._end("failed", str(error))
                    raise error from None
                attempt += 1
                log.info("%s: retry %d in %.1f s after %s", self.provider, attempt, wait, type(exc).__name__)
                await asyncio.sleep(wait)
                continue
            tally = self._tally
            if not tally.finished:
                self._finish("partial", f"{self._title} ended the answer before it was finished. The text so far is kept.")
            elif tally.stop in ("max_tokens", "length"):
                self._finish("partial", f"The answer reached the limit of {self.request.max_tokens} tokens and was cut there.")
            else:
                self._finish("done", None)
            return

    def _events(self, tally: _Tally) -> AsyncIterator[str]:
        if self.provider == "offline":
            return _offline(self._offline_text, self._prompt, tally)
        caller = _anthropic if self.provider == "anthropic" else _openai
        return caller(self._key, self.model, self._system, self._prompt, self.request, self._endpoint, tally)

    def _error(self, exc: Exception) -> AIError:
        """The message for exc; a network failure reads differently once words have arrived."""
        import anthropic
        import openai

        sdk = anthropic if self.provider == "anthropic" else openai
        if isinstance(exc, (*TIMEOUTS, sdk.APITimeoutError)) and (self._parts or isinstance(exc, TIMEOUTS)):
            return AIError(f"{self._title} sent nothing more for {self.request.timeout:g} s.")
        if isinstance(exc, (*NETWORK_ERRORS, sdk.APIConnectionError)) and (self._parts or isinstance(exc, NETWORK_ERRORS)):
            cause = exc.__cause__ or exc
            return AIError(f"The connection to {self._title} dropped ({cause or type(cause).__name__}).")
        return explain(self.provider, exc, self.request.timeout, self._key or "")

    def _retry_wait(self, exc: Exception, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when exc is final (or retries are used up)."""
        if attempt >= self.request.retries or not _transient(self.provider, exc):
            return None
        after = _retry_after(exc)
        if after is not None and after > MAX_WAIT:
            return None
        return after if after is not None else BACKOFF * 2 ** attempt

    # ---- the end ---------------------------------------------------------------------------
    def _finish(self, status: str, reason: str | None) -> None:
        usage, cost = self._end(status, reason)
        n = len(self.request.grounding)
        used = citations(self.text, n)
        self.result = AIResult(self.text.strip(), self.provider, self._tally.model, status, reason, used,
                               tuple(self.request.grounding[i - 1] for i in used), usage, cost,
                               time.monotonic() - self._clock)

    def _end(self, status: str, error: str | None) -> tuple[Usage, float | None]:
        self._ended = True
        tally = self._tally or _Tally(self.model)
        usage = _usage(tally, self._system + self._prompt, self.text)
        if self._lib is None:
            return usage, costs.cost_usd(self.provider, tally.model, usage.input_tokens, usage.output_tokens)
        cost = costs.record_call(self._lib, provider=self.provider, model=tally.model, purpose=self.request.label,
                                 input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, status=status,
                                 error=error, started_at=self._started, seconds=time.monotonic() - self._clock)
        return usage, cost

    @property
    def _title(self) -> str:
        return SERVICES[self.provider].title if self.provider in SERVICES else "The offline writer"


def run_stream(request: Request, state, on_text: Callable[[str], None], *, lib=None,
               store: SecretStore | None = None, endpoint: str | None = None) -> AIResult:
    """stream() for a job: on_text(piece) for every piece (from this worker thread), the result
    at the end. The job's Cancel stops the stream promptly (also while it waits for the service)
    and raises Cancelled. Not for a thread with a running event loop (the GUI thread)."""
    state.check()

    async def main() -> AIResult:
        task = asyncio.current_task()
        watcher = asyncio.create_task(_cancel_on(state, task))
        try:
            async with stream(request, lib=lib, store=store, endpoint=endpoint) as s:
                title = SERVICES[s.provider].title if s.provider in SERVICES else "The offline writer"
                state.set_status(f"{title} is writing…")
                async for piece in s:
                    on_text(piece)
            return s.result
        finally:
            watcher.cancel()

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        state.check()  # raises Cancelled: the job's Cancel did this
        raise


async def _cancel_on(state, task: asyncio.Task) -> None:
    while not state.cancelled:
        await asyncio.sleep(CANCEL_POLL)
    task.cancel()


# ---- the providers ---------------------------------------------------------------------------
async def _anthropic(key, model, system, prompt, request, endpoint, tally: _Tally) -> AsyncIterator[str]:
    import anthropic

    extra = {"system": system} if system else {}
    client = anthropic.AsyncAnthropic(api_key=key, base_url=endpoint, timeout=request.timeout, max_retries=0)
    async with client, client.messages.stream(model=model, max_tokens=request.max_tokens,
                                              messages=[{"role": "user", "content": prompt}], **extra) as events:
        async for event in events:
            if event.type == "message_start":
                tally.model = event.message.model or model
                tally.input_tokens = event.message.usage.input_tokens
            elif event.type == "text" and event.text:
                yield event.text
            elif event.type == "message_delta":
                tally.output_tokens, tally.stop = event.usage.output_tokens, event.delta.stop_reason
            elif event.type == "message_stop":
                tally.finished = True


async def _openai(key, model, system, prompt, request, endpoint, tally: _Tally) -> AsyncIterator[str]:
    import openai

    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    async with openai.AsyncOpenAI(api_key=key, base_url=endpoint, timeout=request.timeout, max_retries=0) as client:
        chunks = await client.chat.completions.create(model=model, messages=messages, max_completion_tokens=request.max_tokens,
                                                      stream=True, stream_options={"include_usage": True})
        async with chunks:
            async for chunk in chunks:
                tally.model = chunk.model or tally.model
                if chunk.usage:  # the last chunk, after the finish reason
                    tally.input_tokens, tally.output_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    tally.stop = choice.finish_reason or tally.stop
    tally.finished = tally.stop is not None  # the SDK ends quietly on [DONE] and on a closed stream alike


async def _offline(text: str, prompt: str, tally: _Tally) -> AsyncIterator[str]:
    tally.input_tokens = len(prompt.split())  # words, the nearest a template writer has to tokens
    for piece in _words_of(text):
        yield piece
        await asyncio.sleep(0)  # a turn for the loop: the UI paints, Cancel gets through
    tally.output_tokens, tally.stop, tally.finished = len(text.split()), "end", True


def _words_of(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


# ---- errors ----------------------------------------------------------------------------------
def _sdk_errors(provider: str) -> tuple[type[Exception], ...]:
    if provider == "offline":
        return ()
    import anthropic
    import openai

    return ((anthropic if provider == "anthropic" else openai).APIError,)


def _transient(provider: str, exc: Exception) -> bool:
    """A rate limit, a server error or a network failure: worth another try."""
    import anthropic
    import openai

    sdk = anthropic if provider == "anthropic" else openai
    if isinstance(exc, (*NETWORK_ERRORS, sdk.APIConnectionError, sdk.RateLimitError)):
        return True
    # status 200: an error event inside the stream (Anthropic's "overloaded_error")
    return isinstance(exc, sdk.APIStatusError) and (exc.status_code >= 500 or exc.status_code == 200)


def _retry_after(exc: Exception) -> float | None:
    """The seconds a 429 or 503 answer asks to wait (retry-after-ms or retry-after), if it says."""
    response = getattr(exc, "response", None)
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if value >= 0 and math.isfinite(value):
            return value * scale
    return None


def _usage(tally: _Tally, prompt: str, text: str) -> Usage:
    """The tokens the service reported; where a cut-off stream never reported them, an estimate
    (about 4 characters a token) so the row is not zero for tokens that were billed."""
    estimate_in, estimate_out = math.ceil(len(prompt) / 4), math.ceil(len(text) / 4)
    output = tally.output_tokens if tally.finished and tally.output_tokens is not None else max(tally.output_tokens or 0, estimate_out)
    return Usage(tally.input_tokens if tally.input_tokens is not None else estimate_in, output)
