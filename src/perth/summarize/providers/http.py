"""HTTP for the LLM providers: the transport port, its stdlib adapter and fake, error mapping, and
the request/parse flow the JSON providers share (:class:`JsonHttpProvider`).

:class:`HttpClientTransport` is built on :mod:`http.client` (no dependency): resolving the host
name and connecting are each limited by ``timeouts.connect_s`` (the lookup runs on a helper
thread, since the system resolver cannot be interrupted; every address it returns is tried in
turn), each socket read by ``timeouts.read_s`` (lowered to the time left), and
the whole exchange by ``timeouts.total_s``: the body is read in chunks and a watchdog shuts the
socket at the deadline, so a server dripping its headers or body is cut off.  Replies above
:data:`MAX_REPLY_BYTES` are refused.  Network failures become Perth errors here; statuses stay in
the :class:`HttpReply` and :func:`check_status` maps them, naming the provider's settings:
timeouts, refused/reset connections and DNS failures -> TransientError; HTTP 408, 429 and 5xx
(but 501, 505) -> TransientError with ``retry_after_s`` from Retry-After; other 3xx/4xx, 501,
505 -> ProviderRejectedError; an unverifiable TLS certificate or a too large reply ->
UnavailableError (not retried).  Messages never echo the request body and quote at most
:data:`EXCERPT_CHARS` characters of an error body, which the caller redacts.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from typing import Any, Protocol

from perth.errors import InvalidInputError, PerthError, ProviderRejectedError, TransientError, UnavailableError
from perth.record import EMPTY_MAP, Record
from perth.summarize.model import Usage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from perth.resilience.policy import Timeouts
    from perth.summarize.model import Completion, Prompt
    from perth.summarize.providers.proxy import Proxy

#: Largest reply body accepted (bytes).
MAX_REPLY_BYTES = 4 * 1024 * 1024
#: Characters of an error body quoted in an error message.
EXCERPT_CHARS = 200
#: Characters of a malformed reply body kept as the completion's text.
FALLBACK_CHARS = 2000
#: Longest Retry-After honoured as such (a day); longer values are clamped.
MAX_RETRY_AFTER_S = 86400.0
_CHUNK_BYTES = 16384
# A read timeout this close to the total deadline is reported as the deadline.
_DEADLINE_SLACK_S = 0.05


class HttpReply(Record):
    """A reply: status, headers (lower-cased names), body, and the time it took."""

    status: int
    headers: Mapping[str, str] = EMPTY_MAP
    body: bytes = b""
    elapsed_ms: int = 0


class HttpRequest(Record):
    """A request as :class:`FakeTransport` recorded it."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    timeouts: Timeouts


class HttpTransport(Protocol):
    """Sends one POST and returns the reply, whatever its status.

    Raises :class:`~perth.errors.TransientError` for timeouts and connection failures and
    :class:`~perth.errors.UnavailableError` for a reply it refuses (too large, bad certificate).
    """

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts) -> HttpReply:
        """POST ``body`` to ``url``."""
        ...


# --- the real adapter
#: A socket address as :func:`socket.getaddrinfo` gives it: (family, type, proto, address).
Address = tuple[int, int, int, tuple[Any, ...]]


def system_resolve(host: str, port: int) -> list[Address]:
    """The system resolver's TCP addresses for ``host``:``port``."""
    return [(family, kind, proto, address)
            for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class HttpClientTransport:
    """:class:`HttpTransport` on :mod:`http.client`: http and https (the default TLS context).

    ``resolve`` looks host names up (default: the system resolver); ``environ`` (default: the
    process environment) names the proxies (see :mod:`perth.summarize.providers.proxy`)."""

    def __init__(self, *, max_reply_bytes: int = MAX_REPLY_BYTES, ssl_context: ssl.SSLContext | None = None,
                 resolve: Callable[[str, int], Sequence[Address]] = system_resolve,
                 environ: Mapping[str, str] | None = None) -> None:
        self.max_reply_bytes = max_reply_bytes
        self.ssl_context = ssl_context
        self.resolve = resolve
        self.environ = environ

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts) -> HttpReply:
        """POST ``body`` to ``url`` within ``timeouts``, through the environment's proxy if any."""
        import os

        from perth.summarize.providers.proxy import proxy_for

        target = _Target.parse(url)
        proxy = proxy_for(target.scheme, target.host, target.port, os.environ if self.environ is None else self.environ)
        exchange = _Exchange(target, timeouts, self.max_reply_bytes, proxy)
        return exchange.run(headers, body, self.ssl_context, self.resolve)


class _Target(Record):
    scheme: str
    host: str
    port: int
    path: str

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, url: str) -> _Target:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(url)
            port = parts.port
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("not an http:// or https:// address")
        except ValueError as exc:
            raise InvalidInputError(f"invalid provider URL: {exc}",
                                    "set the provider's llm.*_base_url to an http:// or https:// address") from exc
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if parts.scheme == "https" else 80
        return cls(scheme=parts.scheme, host=parts.hostname, port=port or default_port, path=path)


class _DeadlineError(Exception):
    """The total deadline passed (internal; mapped to TransientError)."""


class _Exchange:
    """One request on one connection, with its deadline and watchdog."""

    def __init__(self, target: _Target, timeouts: Timeouts, max_bytes: int, proxy: Proxy | None = None) -> None:
        self.target = target
        self.proxy = proxy
        self.timeouts = timeouts
        self.max_bytes = max_bytes
        self.started = time.monotonic()
        self.deadline = self.started + timeouts.total_s
        self.expired = self._done = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def run(self, headers: Mapping[str, str], body: bytes, context: ssl.SSLContext | None,
            resolve: Callable[[str, int], Sequence[Address]]) -> HttpReply:
        conn = self._connect(context, resolve)
        watchdog = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._exchange(conn, headers, body)
        except (OSError, _DeadlineError, http.client.HTTPException) as exc:
            raise self._failure(exc) from exc
        finally:
            with self._lock:
                self._done = True
            watchdog.cancel()
            conn.close()

    def _connect(self, context: ssl.SSLContext | None,
                 resolve: Callable[[str, int], Sequence[Address]]) -> http.client.HTTPConnection:
        target, proxy = self.target, self.proxy
        limit = min(self.timeouts.connect_s, self.timeouts.total_s)
        hop = target if proxy is None else _Target(scheme="http", host=proxy.host, port=proxy.port, path="")
        label = target.label if proxy is None else proxy.label
        addresses = _resolve_within(hop, limit, resolve, "the proxy host" if proxy else "the provider host")
        conn: _PinnedConnection | _PinnedTlsConnection
        if target.scheme == "https":  # the certificate is checked against the provider's name
            conn = _PinnedTlsConnection(target.host, target.port, timeout=limit,
                                        context=context or ssl.create_default_context())
        else:
            conn = _PinnedConnection(target.host, target.port, timeout=limit)
        conn.addresses = addresses
        conn.tunnel = proxy if proxy is not None and target.scheme == "https" else None
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise _connect_failure(target.label if isinstance(exc, ssl.SSLError) else label, limit, exc) from exc
        except PerthError:
            conn.close()
            raise
        self._sock = conn.sock
        return conn

    def _exchange(self, conn: http.client.HTTPConnection, headers: Mapping[str, str], body: bytes) -> HttpReply:
        self._arm()
        path, sent = self.target.path, dict(headers)
        if self.proxy is not None and self.target.scheme == "http":  # the proxy forwards it: absolute form
            from perth.summarize.providers.proxy import host_port

            path = f"http://{host_port(self.target.host, self.target.port)}{path}"
            if self.proxy.authorization:
                sent["Proxy-Authorization"] = self.proxy.authorization
        conn.request("POST", path, body=body, headers=sent)
        self._arm()
        response = conn.getresponse()
        data = self._read_body(response)
        names: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            names[key] = f"{names[key]}, {value}" if key in names else value
        return HttpReply(status=response.status, headers=names, body=data,
                         elapsed_ms=int((time.monotonic() - self.started) * 1000))

    def _read_body(self, response: http.client.HTTPResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            self._arm()
            chunk = response.read1(_CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise UnavailableError(f"{self.target.label} sent a reply larger than {self.max_bytes} bytes",
                                       "check that the provider's llm.*_base_url points at an LLM API")
            chunks.append(chunk)
        if self.expired:
            raise _DeadlineError
        return b"".join(chunks)

    def _arm(self) -> None:
        """Limit the next socket operation to the read timeout or the time left, whichever is less."""
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise _DeadlineError
        if self._sock is not None:
            self._sock.settimeout(min(self.timeouts.read_s, left))

    def _expire(self) -> None:
        """The watchdog: at the deadline, shut the socket so a blocked read returns."""
        with self._lock:
            if self._done or self._sock is None:
                return
            self.expired = True
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def _failure(self, exc: BaseException) -> Exception:
        label = self.target.label if self.proxy is None else f"{self.target.label} (through {self.proxy.label})"
        if self.expired or isinstance(exc, _DeadlineError) or time.monotonic() >= self.deadline - _DEADLINE_SLACK_S:
            return TransientError(f"{label} did not finish answering within {self.timeouts.total_s:g} s",
                                  "raise llm.total_timeout_s, or check the provider's health")
        if isinstance(exc, TimeoutError):
            return TransientError(f"{label} did not answer within {self.timeouts.read_s:g} s",
                                  "raise llm.read_timeout_s, or check the provider's health")
        if isinstance(exc, OSError) and not isinstance(exc, http.client.HTTPException):
            return TransientError(f"the connection to {label} failed: {exc.strerror or type(exc).__name__}",
                                  "check the provider's health and the network")
        return TransientError(f"{label} closed the connection without a complete answer ({type(exc).__name__})",
                              "check the provider's health and its llm.*_base_url")


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to addresses already looked up (tried in order), not to a name; with
    ``tunnel``, those are the proxy's and a ``CONNECT`` tunnel to the host is opened first."""

    addresses: Sequence[Address] = ()
    tunnel: Proxy | None = None

    def connect(self) -> None:
        self.sock = _open_socket(self.addresses, self.timeout)
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tunnel is not None:
            from perth.summarize.providers.proxy import open_tunnel

            open_tunnel(self.sock, self.host, self.port, self.tunnel)


class _PinnedTlsConnection(http.client.HTTPSConnection, _PinnedConnection):
    """HTTPS on :class:`_PinnedConnection`'s socket; the certificate is checked against the name."""


def _open_socket(addresses: Sequence[Address], timeout: float | None) -> socket.socket:
    """A socket connected to the first of ``addresses`` that accepts, each tried within ``timeout``."""
    failure: OSError | None = None
    for family, kind, proto, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure or OSError("no address to connect to")


def _resolve_within(target: _Target, limit: float, resolve: Callable[[str, int], Sequence[Address]],
                    what: str) -> Sequence[Address]:
    """``resolve(host, port)`` on a helper thread, given up after ``limit`` seconds; ``what``
    names the host in messages (the provider's or the proxy's)."""
    outcome: list[Sequence[Address] | OSError] = []

    def lookup() -> None:
        try:
            outcome.append(resolve(target.host, target.port))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name="perth-resolve", daemon=True)
    worker.start()
    worker.join(limit)
    if not outcome:
        raise TransientError(f"cannot resolve {what} {target.host} within {limit:g} s",
                             "check the network and DNS, or raise llm.connect_timeout_s")
    found = outcome[0]
    if not found or isinstance(found, socket.gaierror):
        raise TransientError(f"cannot resolve {what} {target.host}",
                             "check the network and the provider's llm.*_base_url setting (or the proxy's)")
    if isinstance(found, OSError):
        raise _connect_failure(target.label, limit, found) from found
    return found


def _connect_failure(label: str, limit: float, exc: OSError) -> Exception:
    if isinstance(exc, TimeoutError):
        return TransientError(f"{label} did not accept a connection within {limit:g} s",
                              "check that the provider is running, or raise llm.connect_timeout_s")
    if isinstance(exc, ConnectionRefusedError):
        return TransientError(f"{label} refused the connection",
                              "start the provider, or fix its llm.*_base_url setting")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return UnavailableError(f"the TLS certificate of {label} could not be verified: {exc.verify_message}",
                                "check the provider's llm.*_base_url (and the system's CA certificates)")
    return TransientError(f"cannot connect to {label}: {exc.strerror or type(exc).__name__}",
                          "check that the provider is running and reachable")


# --- the fake
class FakeTransport:
    """A scripted :class:`HttpTransport` for unit tests; it records every request.

    Each ``post`` takes the next item of the script: an :class:`HttpReply` is returned, an
    exception raised.  When the script is empty ``default`` is used; with no default the post
    fails like a dead provider (a :class:`~perth.errors.TransientError`).
    """

    def __init__(self, script: Iterable[HttpReply | Exception] = (), *,
                 default: HttpReply | Exception | None = None) -> None:
        self.script: list[HttpReply | Exception] = list(script)
        self.default = default
        self.requests: list[HttpRequest] = []

    def push(self, *items: HttpReply | Exception) -> None:
        """Append replies or exceptions to the script."""
        self.script.extend(items)

    def post(self, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts) -> HttpReply:
        """Record the request and play the next scripted item."""
        self.requests.append(HttpRequest(url=url, headers=dict(headers), body=body, timeouts=timeouts))
        item = self.script.pop(0) if self.script else self.default
        if item is None:
            raise TransientError("the fake transport has no scripted reply left", "script more replies or a default")
        if isinstance(item, Exception):
            raise item
        return item


def json_reply(payload: object, status: int = 200, headers: Mapping[str, str] | None = None,
               elapsed_ms: int = 1) -> HttpReply:
    """An :class:`HttpReply` carrying ``payload`` as JSON (for fakes and tests)."""
    import json

    names = {"content-type": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
    return HttpReply(status=status, headers=names, body=json.dumps(payload).encode(), elapsed_ms=elapsed_ms)


# --- statuses
class Endpoint(Record):
    """How a provider's settings are named in error messages."""

    provider: str
    url_setting: str
    model_setting: str
    key_setting: str = ""
    key_env: str = ""

    def key_fix(self) -> str:
        """How to fix a missing or refused key."""
        if self.key_setting:
            return f"set {self.key_setting} or ${self.key_env}"
        return f"check {self.url_setting} and the server's access settings"


def check_status(reply: HttpReply, endpoint: Endpoint) -> None:
    """Raise the Perth error an unsuccessful status means; return quietly on 2xx."""
    status = reply.status
    if 200 <= status < 300:
        return
    excerpt = error_excerpt(reply.body)
    detail = f": {excerpt}" if excerpt else ""
    who = endpoint.provider
    if status == 429:
        raise TransientError(f"{who} is rate limiting requests (HTTP 429){detail}",
                             "wait, or make fewer requests", retry_after_s=retry_after(reply))
    if status == 408 or (500 <= status < 600 and status not in (501, 505)):
        raise TransientError(f"{who} failed to answer (HTTP {status}){detail}",
                             "retry later, or check the provider's status", retry_after_s=retry_after(reply))
    raise ProviderRejectedError(f"{who} rejected the request (HTTP {status}){detail}", _rejection_fix(status, endpoint))


def _rejection_fix(status: int, endpoint: Endpoint) -> str:
    fixes = {401: endpoint.key_fix(), 403: endpoint.key_fix(), 413: "lower llm.max_context_tokens",
             404: f"check {endpoint.model_setting} and {endpoint.url_setting}",
             400: f"check {endpoint.model_setting} and llm.max_output_tokens",
             422: f"check {endpoint.model_setting} and llm.max_output_tokens"}
    if 300 <= status < 400:
        return f"set {endpoint.url_setting} to the address the server redirects to"
    return fixes.get(status, f"check {endpoint.url_setting} and {endpoint.model_setting}")


def error_excerpt(body: bytes, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of an error body, on one line (not yet redacted)."""
    text = " ".join(body[: limit * 4].decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after(reply: HttpReply, now_s: float | None = None) -> float | None:
    """The reply's Retry-After in seconds, or None."""
    return parse_retry_after(reply.headers.get("retry-after"), now_s)


def parse_retry_after(value: str | None, now_s: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date; None if unusable.

    A date in the past gives 0; anything above :data:`MAX_RETRY_AFTER_S` is clamped to it.
    """
    text = (value or "").strip()
    if not text or len(text) > 64:
        return None
    whole, dot, fraction = text.partition(".")
    if whole.isascii() and whole.isdigit() and (not dot or (fraction.isascii() and fraction.isdigit())):
        return MAX_RETRY_AFTER_S if len(whole) > 9 else min(float(text), MAX_RETRY_AFTER_S)
    return _parse_http_date(text, time.time() if now_s is None else now_s)


def _parse_http_date(text: str, now_s: float) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text)
        if moment.tzinfo is None:
            import datetime

            moment = moment.replace(tzinfo=datetime.UTC)
        seconds = moment.timestamp() - now_s
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER_S))


# --- the JSON providers
class Parsed(Record):
    """What a provider found in a well-formed reply."""

    text: str
    usage: Usage = Usage()
    warnings: tuple[str, ...] = ()


class JsonHttpProvider:
    """The flow every HTTP provider shares: check it can run, post the body, map the status, parse.

    Subclasses set ``name`` and ``endpoint`` and write :meth:`headers`, :meth:`request_body`
    and :meth:`extract`; :meth:`check_ready` refuses to run without what the provider needs.
    """

    name: str = ""
    endpoint: Endpoint = Endpoint(provider="", url_setting="", model_setting="")

    def __init__(self, *, model: str, url: str, transport: HttpTransport | None = None) -> None:
        self.model = model
        self.url = url
        self.transport: HttpTransport = transport if transport is not None else HttpClientTransport()

    def check_ready(self) -> None:
        """Raise :class:`~perth.errors.ProviderRejectedError` when a call cannot succeed (no key)."""

    def headers(self) -> dict[str, str]:
        """The request headers."""
        return {"content-type": "application/json", "accept": "application/json", "user-agent": _user_agent()}

    def request_body(self, prompt: Prompt) -> bytes:
        """The request body, built from the prompt's redacted parts only."""
        raise NotImplementedError

    def extract(self, payload: object) -> Parsed:
        """The text and usage of a decoded reply; InvalidInputError when it has the wrong shape."""
        raise NotImplementedError

    def complete(self, prompt: Prompt, timeouts: Timeouts) -> Completion:
        """One request, one reply (see :class:`perth.summarize.providers.port.Provider`)."""
        self.check_ready()
        reply = self.transport.post(self.url, self.headers(), self.request_body(prompt), timeouts)
        check_status(reply, self.endpoint)
        return parse_completion(reply, self.name, self.model, self.extract, self.endpoint)


def _user_agent() -> str:
    from perth import __version__

    return f"perth/{__version__}"


def encode_json(payload: object) -> bytes:
    """``payload`` as compact UTF-8 JSON."""
    import json

    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def parse_completion(reply: HttpReply, provider: str, model: str, extract: Callable[[object], Parsed],
                     endpoint: Endpoint | None = None) -> Completion:
    """The completion in a 2xx reply.

    A body that is not JSON, or JSON of the wrong shape, becomes the text (cut to
    :data:`FALLBACK_CHARS`) with a warning ``malformed reply from <provider>: <why>``; an empty
    text, or an empty body, is a :class:`~perth.errors.TransientError` so the chain moves on.
    An HTML page (a proxy's login or error page answering for the provider) is never a summary:
    it is an :class:`~perth.errors.UnavailableError` (counted by the breaker, not retried).
    """
    import json

    from perth.summarize.model import Completion

    try:
        payload = json.loads(reply.body)
    except (ValueError, RecursionError):
        if _is_html(reply):
            fix = f"check {endpoint.url_setting}" if endpoint else "check the provider's address"
            raise UnavailableError(f"{provider} answered with an HTML page instead of JSON",
                                   fix + " (a proxy or login page answered for the provider)") from None
        parsed = _fallback(reply, provider, "the body is not JSON")
    else:
        try:
            parsed = extract(payload)
        except InvalidInputError as exc:
            parsed = _fallback(reply, provider, exc.what)
    if not parsed.text.strip():
        fix = f"retry, or check {endpoint.model_setting}" if endpoint else "retry, or try another model"
        raise TransientError(f"{provider} answered with an empty text", fix)
    return Completion(provider=provider, model=model, text=parsed.text, usage=parsed.usage,
                      latency_ms=reply.elapsed_ms, warnings=parsed.warnings)


def _is_html(reply: HttpReply) -> bool:
    head = reply.body[:512].lstrip().lower()
    return "html" in reply.headers.get("content-type", "") or head.startswith((b"<!doctype html", b"<html"))


def _fallback(reply: HttpReply, provider: str, why: str) -> Parsed:
    text = reply.body[: FALLBACK_CHARS * 4].decode("utf-8", "replace").strip()[:FALLBACK_CHARS]
    return Parsed(text=text, warnings=(f"malformed reply from {provider}: {why}",))


def member(value: object, key: str | int) -> object:
    """``value[key]`` of a JSON object (str key) or array (int key); InvalidInputError when absent."""
    if isinstance(key, str) and isinstance(value, dict) and key in value:
        return value[key]
    if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
        return value[key]
    raise shape_error(f"no {key!r} in the reply")


def shape_error(why: str) -> InvalidInputError:
    """The error :meth:`JsonHttpProvider.extract` raises for a reply of the wrong shape."""
    return InvalidInputError(why, "the provider's reply format is not the one expected")


def text_of(value: object, what: str) -> str:
    """``value`` as text (None is empty); InvalidInputError for any other type."""
    if value is not None and not isinstance(value, str):
        raise shape_error(f"{what} is not text")
    return value or ""


def usage_of(payload: object, container: str | None, input_key: str, output_key: str) -> Usage:
    """Usage counts read from ``payload[container]`` (or ``payload`` itself); a count that is absent or
    not a non-negative integer is None."""
    source = payload.get(container) if container and isinstance(payload, dict) else payload
    counts = [source.get(key) if isinstance(source, dict) else None for key in (input_key, output_key)]
    first, second = (n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None for n in counts)
    return Usage(input_tokens=first, output_tokens=second)


def cut_warning(provider: str, reason: object, cut_values: tuple[str, ...]) -> tuple[str, ...]:
    """A warning when the model stopped at the output limit."""
    return (f"the reply from {provider} was cut at llm.max_output_tokens",) if reason in cut_values else ()
