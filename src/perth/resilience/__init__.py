"""Timeouts, retries and circuit breakers: one implementation for every outside call.

``policy`` holds the settings records, ``breaker`` the per-dependency circuit breaker whose
state lives in the store (so separate one-shot processes share it), and ``call`` runs a
function under a breaker and a retry policy.  Failures are classified by exception type:
:class:`perth.errors.TransientError` is retried (honouring ``retry_after_s``),
:class:`perth.errors.ProviderRejectedError` and every other error are not.
"""
