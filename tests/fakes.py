"""A local stand-in for the services' HTTP APIs, reached through their real SDKs:
the OpenAI and Anthropic model lists and the Meta Graph API's /me."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """A fake API's request handler: answers in JSON and keeps quiet in the test output."""

    def send_json(self, code: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (what a timeout test makes it do)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve handler on a free port of 127.0.0.1 for the with block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


MODELS = [
    {"id": f"model-{i}", "object": "model", "type": "model", "created": 0, "created_at": "2026-01-01T00:00:00Z", "display_name": f"Model {i}", "owned_by": "test"}
    for i in range(3)
]


class _ServiceHandler(JsonHandler):
    good_key = ""  # set per server
    seen: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        credential = (self.headers.get("Authorization") or "") + (self.headers.get("x-api-key") or "")
        self.seen.append((self.path, credential))
        path, _, query = self.path.partition("?")
        if path.rstrip("/") == "/v26.0/me" or path.rstrip("/").endswith("/me"):
            ok = f"access_token={self.good_key}" in query
            body = {"id": "1001", "name": "Agency Publisher"} if ok else {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
        elif path.rstrip("/") == "/v1/models":
            ok = self.good_key in credential
            body = {"object": "list", "data": MODELS, "has_more": False, "first_id": "model-0", "last_id": "model-2"} if ok else {
                "error": {"type": "authentication_error", "message": "Incorrect API key provided.", "code": "invalid_api_key"}
            }
        else:
            return self.send_json(404, {"error": {"message": "not found"}})
        self.send_json(200 if ok else 401, body)


@contextlib.contextmanager
def fake_services(good_key: str) -> Iterator[tuple[str, list]]:
    """Serve on 127.0.0.1; yields (base URL, the requests seen as (path, credential))."""
    handler = type("Handler", (_ServiceHandler,), {"good_key": good_key, "seen": []})
    with serving(handler) as url:
        yield url, handler.seen
