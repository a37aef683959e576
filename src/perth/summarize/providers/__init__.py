"""LLM providers: transport and parsing only (the prompt is built once, in :mod:`perth.summarize.prompt`)."""
