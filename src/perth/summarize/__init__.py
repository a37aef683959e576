"""Context collection and LLM summaries (C4).

``collectors`` gather the pane's recent commands and intents, git state and recently
modified files, each bounded in bytes and time and run concurrently; ``budget`` cuts the
result to a token budget by section priority; ``prompt`` is the one prompt builder every
provider shares; ``providers/`` only do transport and parsing (Anthropic, OpenAI and
compatible servers, Ollama, and the model-free extractive ``none``); ``service`` runs the
fallback chain through :mod:`perth.resilience` and records token usage.
"""
