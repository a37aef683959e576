"""The :class:`Redacted` string type: text that has been through the secret filter.

Only :class:`perth.redact.SecretFilter` creates ``Redacted`` values.  Constructing one anywhere
else raises :class:`TypeError` at run time, and mypy rejects both ``Redacted("x")`` (the mint
key is missing) and passing a plain ``str`` where a ``Redacted`` is required.  Operations on a
``Redacted`` (``+``, ``strip()``, slicing, ``format``) return plain ``str``: derived text is no
longer known to be safe and has to go through the filter again.

This module imports nothing, so the ``perth log`` hot path can load it for free.
"""

from __future__ import annotations

#: Every placeholder starts with this: ``[REDACTED:<rule-id>]``.
REDACTION_PREFIX = "[REDACTED:"


class _MintKey:
    """The type of the filter's private key; its only instance is ``_MINT``."""

    __slots__ = ()


_MINT = _MintKey()


class Redacted(str):
    """Text that passed through :class:`~perth.redact.SecretFilter`."""

    __slots__ = ()

    def __new__(cls, value: str, key: _MintKey) -> Redacted:
        if key is not _MINT:
            raise TypeError("Redacted values are created only by perth.redact.SecretFilter "
                            "— pass the text through SecretFilter.redact() instead")
        return str.__new__(cls, value)

    def __copy__(self) -> Redacted:
        return self

    def __deepcopy__(self, memo: object) -> Redacted:
        return self

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        # Pickled copies come back as plain ``str``: unpickling must not mint Redacted values.
        return (str, (str(self),))


def _mint(text: str) -> Redacted:
    """Wrap ``text`` that the filter has just produced.  Private to ``perth.redact``."""
    return str.__new__(Redacted, text)


def _mint_all(texts: list[str]) -> map[Redacted]:
    """:func:`_mint` over a list, without a Python call per item (the bulk path)."""
    return map(str.__new__, [Redacted] * len(texts), texts)


__all__ = ["REDACTION_PREFIX", "Redacted"]
