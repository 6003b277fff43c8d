"""A real HTTP server on 127.0.0.1 that answers with scripted responses, for engine tests.

Engines talk to it over real sockets through their real client libraries, so retries,
timeouts, headers and JSON parsing are exercised as they are against OpenAI, Ollama or a
llama.cpp server. Each test scripts what every path answers and then asserts on what the
server received.

Usage::

    def test_story(chat_server: ScriptedServer) -> None:
        chat_server.reply_chat("Title\\nOnce upon a time...")
        engine = OpenAIEngine(OpenAISettings(base_url=chat_server.openai_base_url))
        ...
        assert chat_server.requests_to(CHAT_PATH)[0].json()["model"] == "gpt-4o-mini"

Any path works the same way (``enqueue("/v1/images/generations", ScriptedResponse(...))``),
so image and speech endpoints can reuse it: a JSON body is sent for dicts and lists, raw
bytes with ``content_type`` for anything else.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CHAT_PATH = "/v1/chat/completions"

JsonBody = dict[str, Any] | list[Any]


@dataclass(frozen=True)
class ScriptedResponse:
    """One answer: status, body (dict/list → JSON, str → UTF-8, bytes as is), extra headers.

    ``delay_s`` holds the answer back, to provoke client timeouts.
    """

    status: int = 200
    body: JsonBody | str | bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str | None = None

    def encoded(self) -> tuple[bytes, str]:
        """The body as bytes, and its content type."""
        if isinstance(self.body, dict | list):
            return json.dumps(self.body).encode(), self.content_type or "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), self.content_type or "text/plain; charset=utf-8"
        return self.body, self.content_type or "application/octet-stream"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def chat_completion_body(
    content: str | None, *, model: str = "test-model", finish_reason: str = "stop"
) -> dict[str, Any]:
    """A chat-completions answer in the shape OpenAI, Ollama and llama.cpp server send."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }


def error_body(
    message: str, *, type_: str = "invalid_request_error", code: str | None = None
) -> dict[str, Any]:
    """An error in OpenAI's envelope, which the SDK turns into its exception message."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class ScriptedServer:
    """Answers each ``(method, path)`` from its queue, then from its ``always`` answer.

    A request with nothing scripted gets a 404 (which clients do not retry) and is listed in
    ``unscripted``, so a test that forgot to script something fails clearly.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[tuple[str, str], deque[ScriptedResponse]] = {}
        self._always: dict[tuple[str, str], ScriptedResponse] = {}
        self.requests: list[RecordedRequest] = []
        self.unscripted: list[RecordedRequest] = []
        # set at shutdown so delayed answers stop waiting and their threads end
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # a short poll interval: shutdown() waits up to one interval, once per test
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` an OpenAI client needs: the server root plus ``/v1``."""
        return f"{self.url}/v1"

    def enqueue(self, path: str, *responses: ScriptedResponse, method: str = "POST") -> None:
        """Answer the next requests to ``path`` with ``responses``, in order."""
        with self._lock:
            self._queues.setdefault((method, path), deque()).extend(responses)

    def always(self, path: str, response: ScriptedResponse, *, method: str = "POST") -> None:
        """Answer every request to ``path`` with ``response`` once its queue is empty."""
        with self._lock:
            self._always[(method, path)] = response

    def reply_chat(self, content: str | None, **kwargs: Any) -> None:
        """Queue one successful chat completion whose message is ``content``."""
        self.enqueue(CHAT_PATH, ScriptedResponse(body=chat_completion_body(content, **kwargs)))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def answer(self, request: RecordedRequest) -> ScriptedResponse:
        key = (request.method, request.path)
        with self._lock:
            self.requests.append(request)
            queue = self._queues.get(key)
            if queue:
                return queue.popleft()
            if key in self._always:
                return self._always[key]
            self.unscripted.append(request)
        return ScriptedResponse(
            404, error_body(f"nothing scripted for {request.method} {request.path}")
        )


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keep-alive, as real servers do: clients reuse pooled connections
        protocol_version = "HTTP/1.1"
        # idle keep-alive connections must not hold handler threads forever
        timeout = 5

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            response = server.answer(request)
            if response.delay_s and server.stopping.wait(response.delay_s):
                return
            body, content_type = response.encoded()
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean; tests read ``server.requests`` instead

    return Handler


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    """Run a :class:`ScriptedServer` for the duration of the ``with`` block."""
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def chat_server() -> Iterator[ScriptedServer]:
    """A running :class:`ScriptedServer`; fails the test if a request found nothing scripted."""
    with scripted_server() as server:
        yield server
        unexpected = [f"{r.method} {r.path}" for r in server.unscripted]
        assert not unexpected, f"requests with no scripted answer: {unexpected}"
