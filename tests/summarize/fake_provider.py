"""A fake LLM provider: a real HTTP server on 127.0.0.1 speaking each provider's wire format.

In-process use (a context manager; the server runs in a daemon thread)::

    from tests.summarize.fake_provider import FakeProviderServer, answer, hang, status

    with FakeProviderServer(default=status(500)) as server:     # dead once the script runs out
        server.script(answer("fixed the bug", input_tokens=12, output_tokens=5), status(429, retry_after=3))
        url = server.url                  # http://127.0.0.1:<port>; also server.anthropic_url,
                                          # server.openai_url (…/v1) and server.ollama_url
        ...
        server.requests                   # every request: RecordedRequest(path, headers, body, raw, action)
        server.wait_for_requests(2)       # block until n requests arrived (for cross-process tests)

Paths and formats: ``/v1/messages`` (Anthropic), ``/v1/chat/completions`` and
``/chat/completions`` (OpenAI), ``/api/chat`` (Ollama); any other path gets 404.

Actions, one per request, taken from the script in order (then ``default``):
``answer(text, input_tokens, output_tokens)``, ``hang(seconds)`` (read the request, answer
nothing, close after ``seconds``), ``slow_body(total_seconds)`` (send the headers, then drip the
body over ``total_seconds``), ``slow_headers(total_seconds)`` (drip the status line and headers),
``status(code, retry_after=None)`` (an error body in the provider's format),
``malformed(kind)`` (200 with ``not-json`` text, an ``html`` page, ``wrong-shape`` JSON, ``empty`` text,
or ``empty-body``),
``drop()`` (close the connection without a byte).

As a script (for other processes)::

    python tests/summarize/fake_provider.py --port-file F [--requests-file R.jsonl] \\
        [--default status:500] [answer:TEXT hang:5 slow_body:3 status:429:2 malformed:not-json drop ...]

writes its port to F once listening, appends each request to R as a JSON line, and serves until
killed.  Only the standard library is used, so the file also runs outside the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

ANTHROPIC_PATHS = ("/v1/messages",)
OPENAI_PATHS = ("/v1/chat/completions", "/chat/completions")
OLLAMA_PATHS = ("/api/chat",)
MALFORMED_KINDS = ("not-json", "html", "wrong-shape", "empty", "empty-body")


class Action(NamedTuple):
    """What the server does with one request."""

    kind: str
    text: str = ""
    seconds: float = 0.0
    code: int = 200
    retry_after: str | None = None
    input_tokens: int = 11
    output_tokens: int = 7


def answer(text: str = "A fake summary.", input_tokens: int = 11, output_tokens: int = 7) -> Action:
    """A well-formed 200 reply with ``text`` and usage, in the wire format of the request's path."""
    return Action("answer", text=text, input_tokens=input_tokens, output_tokens=output_tokens)


def hang(seconds: float) -> Action:
    """Read the request, then answer nothing for ``seconds`` and close."""
    return Action("hang", seconds=seconds)


def slow_body(total_seconds: float, text: str = "A slow summary.") -> Action:
    """Send the status and headers at once, then the body a byte at a time over ``total_seconds``."""
    return Action("slow_body", text=text, seconds=total_seconds)


def slow_headers(total_seconds: float) -> Action:
    """Send the status line and headers a byte at a time over ``total_seconds``."""
    return Action("slow_headers", seconds=total_seconds)


def status(code: int, retry_after: float | str | None = None, text: str = "fake failure") -> Action:
    """An error reply with ``code`` (and a Retry-After header when given: seconds or an HTTP-date)."""
    after = None if retry_after is None else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
    return Action("status", code=code, retry_after=after, text=text)


def malformed(kind: str = "not-json") -> Action:
    """A 200 reply that is not what the provider expects: see :data:`MALFORMED_KINDS`."""
    if kind not in MALFORMED_KINDS:
        raise ValueError(f"unknown malformed kind {kind!r}; use one of {MALFORMED_KINDS}")
    return Action("malformed", text=kind)


def drop() -> Action:
    """Close the connection without answering."""
    return Action("drop")


class RecordedRequest(NamedTuple):
    """One request as received: path, headers (lower-cased names), JSON body (None if not JSON), raw bytes."""

    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    action: str


def wire_format(path: str) -> str | None:
    """``anthropic``, ``openai`` or ``ollama`` for a known path, else None."""
    if path in ANTHROPIC_PATHS:
        return "anthropic"
    if path in OPENAI_PATHS:
        return "openai"
    if path in OLLAMA_PATHS:
        return "ollama"
    return None


def reply_payload(fmt: str, text: str, input_tokens: int, output_tokens: int, model: str = "fake-model") -> dict[str, Any]:
    """A successful reply in a provider's wire format."""
    if fmt == "anthropic":
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}
    if fmt == "openai":
        return {"id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens,
                          "total_tokens": input_tokens + output_tokens}}
    return {"model": model, "created_at": "2025-01-01T00:00:00Z", "message": {"role": "assistant", "content": text},
            "done": True, "done_reason": "stop", "prompt_eval_count": input_tokens, "eval_count": output_tokens}


def error_payload(fmt: str, code: int, text: str) -> dict[str, Any]:
    """An error reply body in a provider's wire format."""
    if fmt == "anthropic":
        return {"type": "error", "error": {"type": f"http_{code}", "message": text}}
    if fmt == "openai":
        return {"error": {"message": text, "type": f"http_{code}", "code": code}}
    return {"error": text}


def malformed_body(fmt: str, kind: str) -> bytes:
    """The body of :func:`malformed` ``kind`` for a wire format."""
    if kind == "not-json":
        return b"The model is warming up; partial answer: fixed the parser."
    if kind == "html":
        return b"<!DOCTYPE html>\n<html><body>Sign in to the proxy to continue</body></html>"
    if kind == "wrong-shape":
        return b'{"unexpected": true, "items": [1, 2, 3]}'
    if kind == "empty":
        return json.dumps(reply_payload(fmt, "", 3, 0)).encode()
    return b""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read :attr:`FakeProviderServer.requests` instead."""

    def do_POST(self) -> None:
        """Record the request, then play the next action."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        fmt = wire_format(self.path.split("?", 1)[0])
        action = self.server.owner.next_action() if fmt else Action("status", code=404, text="no such path")
        self.server.owner.record(self, raw, action)
        self.close_connection = True
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            _PLAYERS[action.kind](self, fmt or "openai", action)

    def send_bytes(self, code: int, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


def _play_answer(handler: _Handler, fmt: str, action: Action) -> None:
    body = json.dumps(reply_payload(fmt, action.text, action.input_tokens, action.output_tokens)).encode()
    handler.send_bytes(200, body)


def _play_status(handler: _Handler, fmt: str, action: Action) -> None:
    extra = {"Retry-After": action.retry_after} if action.retry_after is not None else {}
    handler.send_bytes(action.code, json.dumps(error_payload(fmt, action.code, action.text)).encode(), extra)


def _play_malformed(handler: _Handler, fmt: str, action: Action) -> None:
    handler.send_bytes(200, malformed_body(fmt, action.text))


def _play_hang(handler: _Handler, fmt: str, action: Action) -> None:
    handler.server.owner.stopping.wait(action.seconds)


def _play_drop(handler: _Handler, fmt: str, action: Action) -> None:
    handler.connection.shutdown(socket.SHUT_RDWR)


def _drip(handler: _Handler, data: bytes, total_seconds: float) -> None:
    pause = total_seconds / max(1, len(data))
    for index in range(len(data)):
        if handler.server.owner.stopping.wait(pause):
            return
        handler.wfile.write(data[index:index + 1])
        handler.wfile.flush()


def _play_slow_body(handler: _Handler, fmt: str, action: Action) -> None:
    body = json.dumps(reply_payload(fmt, action.text, 5, 5)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.flush()
    _drip(handler, body, action.seconds)


def _play_slow_headers(handler: _Handler, fmt: str, action: Action) -> None:
    body = json.dumps(reply_payload(fmt, "late", 1, 1)).encode()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Padding: {'p' * 40}\r\n\r\n").encode()
    _drip(handler, head, action.seconds)
    handler.wfile.write(body)


_PLAYERS = {"answer": _play_answer, "status": _play_status, "malformed": _play_malformed, "hang": _play_hang,
            "drop": _play_drop, "slow_body": _play_slow_body, "slow_headers": _play_slow_headers}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeProviderServer


class FakeProviderServer:
    """The fake provider; see the module docstring.  ``requests_file`` appends each request as JSON;
    with ``tls`` (a server context) it speaks HTTPS."""

    def __init__(self, default: Action | None = None, *, requests_file: str | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self.default = default if default is not None else answer()
        self.tls = tls
        self.requests_file = requests_file
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._queue: list[Action] = []
        self._lock = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> FakeProviderServer:
        """Listen on 127.0.0.1 (a free port) and serve in a daemon thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        if self.tls is not None:  # HTTPS: each accepted connection does its handshake first
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging and dripping handlers give up at once."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses

    @property
    def port(self) -> int:
        """The port listened on."""
        assert self._server is not None, "start the server first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def anthropic_url(self) -> str:
        """The value for ``llm.anthropic_base_url``."""
        return self.url

    @property
    def openai_url(self) -> str:
        """The value for ``llm.openai_base_url``."""
        return f"{self.url}/v1"

    @property
    def ollama_url(self) -> str:
        """The value for ``llm.ollama_base_url``."""
        return self.url

    # -- script and records

    def script(self, *actions: Action) -> None:
        """Queue actions for the next requests, in order."""
        with self._lock:
            self._queue.extend(actions)

    def next_action(self) -> Action:
        """The next scripted action, else the default."""
        with self._lock:
            return self._queue.pop(0) if self._queue else self.default

    def record(self, handler: _Handler, raw: bytes, action: Action) -> None:
        """Keep one request (and append it to ``requests_file``)."""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {name.lower(): value for name, value in handler.headers.items()}
        request = RecordedRequest(handler.path, headers, body, raw, action.kind)
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()
            if self.requests_file:
                line = {"path": request.path, "headers": headers, "body": body,
                        "raw": raw.decode("utf-8", "replace"), "action": action.kind}
                with open(self.requests_file, "a", encoding="utf-8") as out:
                    out.write(json.dumps(line) + "\n")

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests were received (or ``timeout``); return them all."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)

    def all_bytes(self) -> bytes:
        """Every request's headers and body, concatenated (for canary searches)."""
        return b"\n".join(json.dumps(r.headers).encode() + b"\n" + r.raw for r in self.requests)


def parse_action(spec: str) -> Action:
    """An action from its command-line spelling: ``answer:TEXT``, ``hang:S``, ``status:CODE[:RETRY_AFTER]``..."""
    kind, _, rest = spec.partition(":")
    makers: dict[str, Any] = {
        "answer": lambda: answer(rest or "A fake summary."),
        "hang": lambda: hang(float(rest or 60)),
        "slow_body": lambda: slow_body(float(rest or 10)),
        "slow_headers": lambda: slow_headers(float(rest or 10)),
        "status": lambda: status(int(rest.partition(":")[0]), rest.partition(":")[2] or None),
        "malformed": lambda: malformed(rest or "not-json"),
        "drop": drop,
    }
    if kind not in makers:
        raise ValueError(f"unknown action {spec!r}; use one of {', '.join(makers)}")
    action: Action = makers[kind]()
    return action


def main(argv: list[str] | None = None) -> int:
    """Serve until killed (see the module docstring)."""
    parser = argparse.ArgumentParser(description="A fake LLM provider on 127.0.0.1.")
    parser.add_argument("--port-file", required=True, help="write the port here once listening")
    parser.add_argument("--requests-file", help="append each request here as a JSON line")
    parser.add_argument("--default", default="answer", help="action once the script is used up (e.g. status:500)")
    parser.add_argument("script", nargs="*", help="actions for the first requests, in order")
    args = parser.parse_args(argv)
    server = FakeProviderServer(parse_action(args.default), requests_file=args.requests_file).start()
    server.script(*(parse_action(spec) for spec in args.script))
    temporary = f"{args.port_file}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(str(server.port))
    os.replace(temporary, args.port_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


def serving(default: Action | None = None) -> Iterator[FakeProviderServer]:
    """A generator for pytest fixtures: ``yield from serving(status(500))``."""
    with FakeProviderServer(default) as server:
        yield server


if __name__ == "__main__":
    sys.exit(main())
