"""Ollama's chat API (``POST {base_url}/api/chat`` with ``stream: false``): transport and parsing only."""

from __future__ import annotations

from perth.summarize.providers.http import (
    Endpoint,
    JsonHttpProvider,
    Parsed,
    cut_warning,
    encode_json,
    member,
    text_of,
    usage_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.config import Settings
    from perth.summarize.model import Prompt
    from perth.summarize.providers.http import HttpTransport

ENDPOINT = Endpoint(provider="ollama", url_setting="llm.ollama_base_url", model_setting="llm.ollama_model")


class OllamaProvider(JsonHttpProvider):
    """A local (or remote) Ollama server; no key."""

    name = "ollama"
    endpoint = ENDPOINT

    def __init__(self, *, model: str, base_url: str, transport: HttpTransport | None = None) -> None:
        super().__init__(model=model, url=base_url.rstrip("/") + "/api/chat", transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str],
                      transport: HttpTransport | None = None) -> OllamaProvider:
        """Built from the ``llm.ollama_*`` settings."""
        from perth.summarize.providers.endpoints import base_url

        return cls(model=str(settings.get("llm.ollama_model")), base_url=base_url(settings, ENDPOINT),
                   transport=transport)

    def request_body(self, prompt: Prompt) -> bytes:
        """``{model, stream: false, messages: [system, user], options: {num_predict}}`` from the redacted prompt."""
        messages = [{"role": "system", "content": str(prompt.system)}] if prompt.system else []
        messages.append({"role": "user", "content": str(prompt.user)})
        return encode_json({"model": self.model, "stream": False, "messages": messages,
                            "options": {"num_predict": prompt.max_output_tokens}})

    def extract(self, payload: object) -> Parsed:
        """``message.content``, ``prompt_eval_count`` / ``eval_count``, ``done_reason``."""
        text = text_of(member(member(payload, "message"), "content"), "'message.content'")
        reason = payload.get("done_reason") if isinstance(payload, dict) else None
        return Parsed(text=text, usage=usage_of(payload, None, "prompt_eval_count", "eval_count"),
                      warnings=cut_warning(self.name, reason, ("length",)))
