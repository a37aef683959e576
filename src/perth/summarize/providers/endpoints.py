"""A provider endpoint's configured key and base URL (settings first, then the environment)."""

from __future__ import annotations

from perth.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.config import Settings
    from perth.summarize.providers.http import Endpoint


def api_key(settings: Settings, environ: Mapping[str, str], endpoint: Endpoint) -> str:
    """The key setting of ``endpoint``, else its environment variable, else empty."""
    key = str(settings.get(endpoint.key_setting)).strip()
    return key or environ.get(endpoint.key_env, "").strip()


def base_url(settings: Settings, endpoint: Endpoint) -> str:
    """The base URL setting of ``endpoint``, checked to be an http(s) address."""
    from urllib.parse import urlsplit

    url = str(settings.get(endpoint.url_setting)).strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(f"{endpoint.url_setting} is not an http:// or https:// address",
                          f"set {endpoint.url_setting}, e.g. perth config set {endpoint.url_setting} "
                          "http://127.0.0.1:8080")
    return url.rstrip("/")
