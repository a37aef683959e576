"""OpenAI's Chat Completions API and compatible servers (``POST {base_url}/chat/completions``).

Compatible servers (vLLM, LM Studio, llama.cpp, OpenRouter...) use the same wire format at their
own ``llm.openai_base_url``; the ``Authorization`` header is sent only when a key is set, and a
key is required only by the official ``api.openai.com``.
"""

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

OFFICIAL_HOST = "api.openai.com"
ENDPOINT = Endpoint(provider="openai", url_setting="llm.openai_base_url", model_setting="llm.openai_model",
                    key_setting="llm.openai_api_key", key_env="OPENAI_API_KEY")


class OpenAIProvider(JsonHttpProvider):
    """OpenAI or any OpenAI-compatible server."""

    name = "openai"
    endpoint = ENDPOINT

    def __init__(self, *, model: str, base_url: str, api_key: str = "",
                 transport: HttpTransport | None = None) -> None:
        super().__init__(model=model, url=base_url.rstrip("/") + "/chat/completions", transport=transport)
        self._api_key = api_key
        self.official = _host(base_url) == OFFICIAL_HOST

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str],
                      transport: HttpTransport | None = None) -> OpenAIProvider:
        """Built from the ``llm.openai_*`` settings; the key falls back to ``$OPENAI_API_KEY``."""
        from perth.summarize.providers.endpoints import api_key, base_url

        return cls(model=str(settings.get("llm.openai_model")), base_url=base_url(settings, ENDPOINT),
                   api_key=api_key(settings, environ, ENDPOINT), transport=transport)

    def check_ready(self) -> None:
        """The official API is not called without a key; compatible servers may need none."""
        if self.official and not self._api_key:
            raise ProviderRejectedError("no OpenAI API key is set", ENDPOINT.key_fix())

    def headers(self) -> dict[str, str]:
        """JSON headers, plus ``Authorization: Bearer`` when a key is set."""
        headers = super().headers()
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        return headers

    def request_body(self, prompt: Prompt) -> bytes:
        """``{model, max_tokens, messages: [system, user]}`` from the redacted prompt."""
        messages = [{"role": "system", "content": str(prompt.system)}] if prompt.system else []
        messages.append({"role": "user", "content": str(prompt.user)})
        return encode_json({"model": self.model, "max_tokens": prompt.max_output_tokens, "messages": messages})

    def extract(self, payload: object) -> Parsed:
        """``choices[0].message.content``, ``usage.prompt_tokens/completion_tokens``, ``finish_reason``."""
        choice = member(member(payload, "choices"), 0)
        if not isinstance(choice, dict):
            raise shape_error("the first choice is not an object")
        content = member(member(choice, "message"), "content")
        if isinstance(content, list):  # some compatible servers answer with content parts
            text = "".join(text_of(part.get("text"), "a content part") for part in content if isinstance(part, dict))
        else:
            text = text_of(content, "'content'")
        return Parsed(text=text, usage=usage_of(payload, "usage", "prompt_tokens", "completion_tokens"),
                      warnings=cut_warning(self.name, choice.get("finish_reason"), ("length",)))


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
