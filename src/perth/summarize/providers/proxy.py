"""Outgoing HTTP proxies for the provider transport, chosen from the environment as curl does.

``https_proxy`` / ``HTTPS_PROXY`` (then ``all_proxy`` / ``ALL_PROXY``) for https:// providers,
``http_proxy`` / ``HTTP_PROXY`` (then ``all_proxy``) for http:// ones; ``no_proxy`` /
``NO_PROXY`` lists hosts reached directly (``*``, names, domain suffixes, ``host:port``), and
this machine (``localhost``, loopback addresses) is always reached directly.  The
proxy itself is spoken to in plain HTTP: an https:// provider is reached through a ``CONNECT``
tunnel (TLS runs end to end, the certificate checked against the provider's name), an http://
one by sending the request in absolute form.  Credentials in the proxy URL
(``http://user:password@proxy:3128``) are sent as ``Proxy-Authorization: Basic``; they never
appear in a message, which names the proxy by host, port and variable.
"""

from __future__ import annotations

import base64
import socket

from perth.errors import InvalidInputError, TransientError, UnavailableError
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Longest status line or header line accepted from a proxy, and most header lines.
_MAX_LINE = 8192
_MAX_HEADERS = 100


class Proxy(Record):
    """Where to send a request instead of the provider, and how to authenticate there."""

    host: str
    port: int
    variable: str  # the environment variable it came from
    authorization: str | None = None  # a Proxy-Authorization header value

    @property
    def label(self) -> str:
        """How messages name the proxy (no credentials)."""
        return f"the proxy {self.host}:{self.port} (${self.variable})"


def proxy_for(scheme: str, host: str, port: int, environ: Mapping[str, str]) -> Proxy | None:
    """The proxy for a request to ``scheme://host:port``, or ``None`` to connect directly (always
    for this machine: ``localhost`` and loopback addresses, where a local Ollama listens)."""
    if is_loopback(host):
        return None
    variable = next((name for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY")
                     if environ.get(name, "").strip()), None)
    if variable is None:
        return None
    if exempt(host, port, environ.get("no_proxy", environ.get("NO_PROXY", ""))):
        return None
    return parse_proxy(environ[variable].strip(), variable)


def is_loopback(host: str) -> bool:
    """``localhost`` (and its subdomains) or a loopback IP address."""
    import ipaddress

    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def exempt(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``no_proxy`` (comma- or space-separated: ``*``, ``name``, ``.domain``, ``name:port``,
    an IP address) sends ``host:port`` around the proxy.  A name covers its subdomains."""
    host = host.lower().rstrip(".")
    for item in no_proxy.replace(",", " ").split():
        entry = item.lower()
        if entry == "*":
            return True
        if entry.startswith("[") and "]" in entry:  # [::1] or [::1]:8080
            name, _, rest = entry[1:].partition("]")
            wanted_port = rest.removeprefix(":")
        elif entry.count(":") == 1:
            name, _, wanted_port = entry.partition(":")
        else:
            name, wanted_port = entry, ""
        if wanted_port and wanted_port != str(port):
            continue
        name = name.lstrip("*").lstrip(".").rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def parse_proxy(value: str, variable: str) -> Proxy:
    """A proxy URL (``http://[user:password@]host[:port]``; a bare ``host:port`` means http)."""
    from urllib.parse import unquote, urlsplit

    fix = f"set ${variable} to http://[user:password@]host:port, or unset it"
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        port = parts.port
    except ValueError as exc:
        raise InvalidInputError(f"${variable} is not a valid proxy address ({exc})", fix) from exc
    if parts.scheme != "http":
        raise InvalidInputError(f"${variable}: {parts.scheme}:// proxies are not supported (only http://)", fix)
    if not parts.hostname:
        raise InvalidInputError(f"${variable} names no proxy host", fix)
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    return Proxy(host=parts.hostname, port=port or 80, variable=variable, authorization=authorization)


def open_tunnel(sock: socket.socket, host: str, port: int, proxy: Proxy) -> None:
    """Ask the proxy on ``sock`` for a tunnel to ``host:port`` (``CONNECT``); raise the Perth
    error its refusal means.  Reads exactly the proxy's answer, nothing past it."""
    authority = host_port(host, port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    status_line = _read_line(sock, proxy)
    for _ in range(_MAX_HEADERS):
        if _read_line(sock, proxy) in (b"\r\n", b"\n"):
            break
    else:
        raise UnavailableError(f"{proxy.label} sent too many header lines", "check the proxy setting")
    fields = status_line.split(None, 2)
    if len(fields) < 2 or not fields[0].startswith(b"HTTP/") or not fields[1].isdigit():
        raise UnavailableError(f"{proxy.label} did not answer like an HTTP proxy",
                               f"check ${proxy.variable}")
    status = int(fields[1])
    if 200 <= status < 300:
        return
    raise tunnel_refusal(proxy, authority, status)


def host_port(host: str, port: int) -> str:
    """``host:port`` as a request line writes it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def tunnel_refusal(proxy: Proxy, authority: str, status: int) -> Exception:
    """The Perth error for a proxy refusing a tunnel with ``status``."""
    if status == 407:
        return UnavailableError(f"{proxy.label} asks for credentials (HTTP 407)",
                                f"put them in ${proxy.variable} as http://user:password@host:port")
    if status in (502, 503, 504):
        return TransientError(f"{proxy.label} could not reach {authority} (HTTP {status})",
                              "check the network beyond the proxy, or the provider's status")
    return UnavailableError(f"{proxy.label} refused a tunnel to {authority} (HTTP {status})",
                            f"ask for {authority} to be allowed, or list it in $no_proxy")


def _read_line(sock: socket.socket, proxy: Proxy) -> bytes:
    """One line, read a byte at a time so nothing after the proxy's answer is consumed."""
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = sock.recv(1)
        if not byte:
            raise TransientError(f"{proxy.label} closed the connection while opening a tunnel",
                                 "check the proxy's health and its access rules")
        line += byte
        if len(line) > _MAX_LINE:
            raise UnavailableError(f"{proxy.label} sent an over-long line", f"check ${proxy.variable}")
    return bytes(line)


__all__ = ["Proxy", "exempt", "host_port", "is_loopback", "open_tunnel", "parse_proxy", "proxy_for", "tunnel_refusal"]
