"""Anthropic's Messages API (``POST {base_url}/v1/messages``): transport and parsing only."""

from __future__ import annotations

from perth.errors import ProviderRejectedError
from perth.summarize.providers.http import (
    Endpoint,
    JsonHttpProvider,
    Parsed,
    cut_warning,
    encode_json,
    member,
    shape_error,
    text_of,
    usage_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.config import Settings
    from perth.summarize.model import Prompt
    from perth.summarize.providers.http import HttpTransport

API_VERSION = "2023-06-01"
ENDPOINT = Endpoint(provider="anthropic", url_setting="llm.anthropic_base_url", model_setting="llm.anthropic_model",
                    key_setting="llm.anthropic_api_key", key_env="ANTHROPIC_API_KEY")


class AnthropicProvider(JsonHttpProvider):
    """Claude through the Messages API; needs an API key (``llm.anthropic_api_key`` or ``$ANTHROPIC_API_KEY``)."""

    name = "anthropic"
    endpoint = ENDPOINT

    def __init__(self, *, model: str, base_url: str, api_key: str,
                 transport: HttpTransport | None = None) -> None:
        super().__init__(model=model, url=base_url.rstrip("/") + "/v1/messages", transport=transport)
        self._api_key = api_key

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str],
                      transport: HttpTransport | None = None) -> AnthropicProvider:
        """Built from the ``llm.anthropic_*`` settings; the key falls back to ``$ANTHROPIC_API_KEY``."""
        from perth.summarize.providers.endpoints import api_key, base_url

        return cls(model=str(settings.get("llm.anthropic_model")), base_url=base_url(settings, ENDPOINT),
                   api_key=api_key(settings, environ, ENDPOINT), transport=transport)

    def check_ready(self) -> None:
        """No request is made without a key."""
        if not self._api_key:
            raise ProviderRejectedError("no Anthropic API key is set", ENDPOINT.key_fix())

    def headers(self) -> dict[str, str]:
        """JSON headers plus ``x-api-key`` and ``anthropic-version``."""
        return {**super().headers(), "x-api-key": self._api_key, "anthropic-version": API_VERSION}

    def request_body(self, prompt: Prompt) -> bytes:
        """``{model, max_tokens, system, messages: [{role: user, content}]}`` from the redacted prompt."""
        body: dict[str, object] = {"model": self.model, "max_tokens": prompt.max_output_tokens}
        if prompt.system:
            body["system"] = str(prompt.system)
        body["messages"] = [{"role": "user", "content": str(prompt.user)}]
        return encode_json(body)

    def extract(self, payload: object) -> Parsed:
        """The text blocks of ``content`` joined, ``usage.input_tokens/output_tokens``, ``stop_reason``."""
        blocks = member(payload, "content")
        if not isinstance(blocks, list):
            raise shape_error("'content' is not a list")
        texts = [text_of(block.get("text"), "a text block") for block in blocks
                 if isinstance(block, dict) and block.get("type") == "text"]
        reason = payload.get("stop_reason") if isinstance(payload, dict) else None
        return Parsed(text="".join(texts), usage=usage_of(payload, "usage", "input_tokens", "output_tokens"),
                      warnings=cut_warning(self.name, reason, ("max_tokens",)))

