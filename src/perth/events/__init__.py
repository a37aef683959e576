"""Events (C7): CloudEvents 1.0 envelopes, a transactional outbox, a dispatcher and transports.

A capability reports a change with one call, inside the unit of work that makes the change::

    with rt.store.unit():
        rt.store.entries.add(entry)
        emit(rt, "perth.intent.logged", entry)

:mod:`~perth.events.emit` builds the envelope (data only from :class:`~perth.redact.Redacted`
values) and appends it to ``rt.store.outbox``; the row commits or rolls back with the change.
:mod:`~perth.events.dispatch` drains the outbox to every configured transport
(:mod:`~perth.events.transports`), in order, with retries, a circuit breaker per transport and a
dead-letter table; it runs in ``perth daemon`` and ``perth events flush``, never in ``perth log``.
"""
