"""A local stand-in for the Anthropic Messages API and the OpenAI Chat Completions API,
reached through the real SDKs (base_url): it answers with a set reply, or with the errors
queued in `fail`, and keeps every request it saw."""

from __future__ import annotations

import contextlib
import json
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
    requests: list[dict] = field(default_factory=list)  # {"path", "key", "body"}

    @property
    def openai_base(self) -> str:
        return f"{self.base}/v1"


def _handler(fake: FakeAI):
    class Handler(JsonHandler):
        def do_POST(self):  # http.server's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            key = self.headers.get("x-api-key") or (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            fake.requests.append({"path": self.path, "key": key, "body": body})
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
            if anthropic:
                return self._send(200, {"id": "msg_1", "type": "message", "role": "assistant", "model": model,
                                        "content": [{"type": "text", "text": fake.reply}], "stop_reason": "end_turn",
                                        "stop_sequence": None, "usage": {"input_tokens": words, "output_tokens": len(fake.reply.split())}})
            self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": fake.reply}, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": words, "completion_tokens": len(fake.reply.split()),
                                       "total_tokens": words + len(fake.reply.split())}})

        def _send(self, code: int, body: dict) -> None:
            self.send_json(code, body, {"retry-after": "0"} if code == 429 else None)

    return Handler


@contextlib.contextmanager
def fake_ai(good_key: str, reply: str = "A fine period.") -> Iterator[FakeAI]:
    """Serve on 127.0.0.1 for the with block; yields the FakeAI to set up and inspect."""
    fake = FakeAI("", good_key, reply)
    with serving(_handler(fake)) as fake.base:
        yield fake
