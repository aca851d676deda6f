"""A local stand-in for the Anthropic Messages API and the OpenAI Chat Completions API,
reached through the real SDKs (base_url): it answers with a set reply, or with the errors
queued in `fail`, and keeps every request it saw.

Asked to stream ("stream": true), it speaks each API's wire format over chunked HTTP/1.1:
Anthropic's server-sent events (message_start, content_block_start/delta/stop, message_delta
with the usage, message_stop) and OpenAI's chat.completion.chunk lines (a finish reason, a final
usage chunk, then [DONE]). The reply goes out a word at a time; `cut_after` drops the connection
after that many words, `stall_after`/`stall` pause the stream there."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.fakes import JsonHandler, serving

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error", 500: "api_error"}


@dataclass
class FakeAI:
    base: str  # the Anthropic SDK's base_url; OpenAI's is openai_base
    good_key: str
    reply: str = "A fine period."
    fail: list[int] = field(default_factory=list)  # status codes to answer the next requests with, in turn
    delay: float = 0.0  # seconds before answering
    retry_after: str = "0"  # the retry-after header of a 429
    cut_after: int | None = None  # streaming: drop the connection after this many words
    stall_after: int | None = None  # streaming: pause after this many words …
    stall: float = 0.0  # … for this many seconds
    stop_reason: str = "end_turn"  # Anthropic's; OpenAI gets "stop", or "length" for "max_tokens"
    requests: list[dict] = field(default_factory=list)  # {"path", "key", "body", "at"}

    @property
    def openai_base(self) -> str:
        return f"{self.base}/v1"

    @property
    def words(self) -> list[str]:
        """The reply as the stream sends it: words with their following spaces."""
        return re.findall(r"\S+\s*", self.reply)


def _handler(fake: FakeAI):
    class Handler(JsonHandler):
        protocol_version = "HTTP/1.1"  # chunked streaming

        def do_POST(self):  # http.server's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            key = self.headers.get("x-api-key") or (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            fake.requests.append({"path": self.path, "key": key, "body": body, "at": time.monotonic()})
            time.sleep(fake.delay)
            anthropic = self.path == "/v1/messages"
            if not anthropic and self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"type": "not_found_error", "message": f"No route {self.path}"}})
            status = fake.fail.pop(0) if fake.fail else 200 if key == fake.good_key else 401
            if status != 200:
                message = "Incorrect API key provided." if status == 401 else f"Simulated failure {status}."
                error = {"type": ERROR_TYPES.get(status, "api_error"), "message": message}
                return self._send(status, {"type": "error", "error": error} if anthropic else {"error": {**error, "code": None}})
            model, words = body.get("model", "?"), len(json.dumps(body).split())
            if body.get("stream"):
                return self._stream(anthropic, model, words)
            if anthropic:
                return self._send(200, {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
                                        "content": [{"type": "text", "text": fake.reply}], "stop_reason": "end_turn",
                                        "stop_sequence": None, "usage": {"input_tokens": words, "output_tokens": len(fake.reply.split())}})
            self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": fake.reply}, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": words, "completion_tokens": len(fake.reply.split()),
                                       "total_tokens": words + len(fake.reply.split())}})

        def _send(self, code: int, body: dict) -> None:
            self.send_json(code, body, {"retry-after": fake.retry_after} if code == 429 else None)

        # ---- streaming ---------------------------------------------------------------------
        def _stream(self, anthropic: bool, model: str, input_tokens: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            events = _anthropic_events if anthropic else _openai_events
            sent = 0
            try:
                for is_word, event in events(fake, model, input_tokens):
                    if is_word:
                        if sent == fake.cut_after:
                            self.close_connection = True  # no closing chunk: the client sees the body cut off
                            return
                        if sent == fake.stall_after:
                            time.sleep(fake.stall)
                        sent += 1
                    self._chunk(event.encode())
                self._chunk(b"")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client went away (a timeout or a cancel)

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def _sse(name: str | None, data: dict | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {name}\n" if name else "") + f"data: {payload}\n\n"


def _anthropic_events(fake: FakeAI, model: str, input_tokens: int) -> Iterator[tuple[bool, str]]:
    """(is a word, the event) in the Messages API's streaming order."""
    words = fake.words
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
               "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": input_tokens, "output_tokens": 1}}
    yield False, _sse("message_start", {"type": "message_start", "message": message})
    yield False, _sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    yield False, _sse("ping", {"type": "ping"})
    for word in words:
        yield True, _sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word}})
    yield False, _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
    yield False, _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": fake.stop_reason, "stop_sequence": None},
                                        "usage": {"output_tokens": len(words)}})
    yield False, _sse("message_stop", {"type": "message_stop"})


def _openai_events(fake: FakeAI, model: str, input_tokens: int) -> Iterator[tuple[bool, str]]:
    """(is a word, the event) as chat.completion.chunk lines with stream_options.include_usage."""
    words = fake.words

    def chunk(choices: list, usage: dict | None = None) -> str:
        return _sse(None, {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": model,
                           "system_fingerprint": None, "choices": choices, "usage": usage})

    yield False, chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    for word in words:
        yield True, chunk([{"index": 0, "delta": {"content": word}, "finish_reason": None}])
    finish = "length" if fake.stop_reason == "max_tokens" else "stop"
    yield False, chunk([{"index": 0, "delta": {}, "finish_reason": finish}])
    yield False, chunk([], {"prompt_tokens": input_tokens, "completion_tokens": len(words), "total_tokens": input_tokens + len(words)})
    yield False, _sse(None, "[DONE]")


@contextlib.contextmanager
def fake_ai(good_key: str, reply: str = "A fine period.") -> Iterator[FakeAI]:
    """Serve on 127.0.0.1 for the with block; yields the FakeAI to set up and inspect."""
    fake = FakeAI("", good_key, reply)
    with serving(_handler(fake)) as fake.base:
        yield fake
