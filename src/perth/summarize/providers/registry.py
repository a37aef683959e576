"""Provider names, the fallback chain's validation, and construction from settings.

``make_provider(name, settings, environ)`` builds one provider of ``llm.chain``; its HTTP
transport defaults to :class:`~perth.summarize.providers.http.HttpClientTransport` and can be
replaced (a :class:`~perth.summarize.providers.http.FakeTransport` in tests).  Provider modules
are imported only when built.
"""

from __future__ import annotations

from perth.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from perth.config import Settings
    from perth.summarize.providers.http import HttpTransport
    from perth.summarize.providers.port import Provider

KNOWN_PROVIDERS: tuple[str, ...] = ("anthropic", "openai", "ollama", "none")


def _unknown(name: str) -> ConfigError:
    return ConfigError(f"unknown LLM provider {name!r} in llm.chain",
                       "use " + ", ".join(KNOWN_PROVIDERS) + " in llm.chain")


def make_provider(name: str, settings: Settings, environ: Mapping[str, str],
                  transport: HttpTransport | None = None) -> Provider:
    """The provider called ``name``, configured from ``settings`` (keys fall back to ``environ``,
    which also names the proxies of the default transport)."""
    if transport is None and name in ("anthropic", "openai", "ollama"):
        from perth.summarize.providers.http import HttpClientTransport

        transport = HttpClientTransport(environ=environ)
    if name == "anthropic":
        from perth.summarize.providers.anthropic import AnthropicProvider

        return AnthropicProvider.from_settings(settings, environ, transport)
    if name == "openai":
        from perth.summarize.providers.openai import OpenAIProvider

        return OpenAIProvider.from_settings(settings, environ, transport)
    if name == "ollama":
        from perth.summarize.providers.ollama import OllamaProvider

        return OllamaProvider.from_settings(settings, environ, transport)
    if name == "none":
        from perth.summarize.providers.extractive import ExtractiveProvider

        return ExtractiveProvider()
    raise _unknown(name)


def check_chain(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` as a validated chain: not empty, every name known, none repeated."""
    chain = tuple(name.strip() for name in names)
    if not chain:
        raise ConfigError("llm.chain is empty", 'list at least one provider, e.g. llm.chain = ["none"]')
    seen: set[str] = set()
    for name in chain:
        if name not in KNOWN_PROVIDERS:
            raise _unknown(name)
        if name in seen:
            raise ConfigError(f"provider {name!r} appears twice in the provider chain",
                              "list each provider once (in --provider or llm.chain)")
        seen.add(name)
    return chain
