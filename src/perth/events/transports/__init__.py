"""The transports events are delivered to, each behind :class:`~perth.events.transports.port.Transport`.

Each real transport lives in its own module, imported only when configured (its client library is
part of the ``perth[brokers]`` extra); :mod:`~perth.events.transports.fake` is the shipped fake.
"""

from __future__ import annotations

from perth.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.config import Settings
    from perth.events.transports.port import Transport

#: Every transport ``events.transports`` may name.
TRANSPORTS: tuple[str, ...] = ("rabbitmq", "nats", "mqtt", "redis", "webhook")


def configured(settings: Settings) -> tuple[str, ...]:
    """The transports ``events.transports`` names (checked)."""
    names = settings.get("events.transports")
    assert isinstance(names, tuple)  # noqa: S101 - a list key
    unknown = [n for n in names if n not in TRANSPORTS]
    if unknown:
        raise ConfigError(f"events.transports names unknown transport(s): {', '.join(unknown)}",
                          f"use any of {', '.join(TRANSPORTS)} (perth config set events.transports rabbitmq,nats)")
    return tuple(dict.fromkeys(names))


def open_transport(name: str, settings: Settings) -> Transport:
    """Build one transport from the settings (it connects on first publish)."""
    if name == "rabbitmq":
        from perth.events.transports.rabbitmq import RabbitMQTransport

        return RabbitMQTransport.from_settings(settings)
    if name == "nats":
        from perth.events.transports.nats import NatsTransport

        return NatsTransport.from_settings(settings)
    if name == "redis":
        from perth.events.transports.redis import RedisTransport

        return RedisTransport.from_settings(settings)
    if name == "mqtt":
        from perth.events.transports.mqtt import MqttTransport

        return MqttTransport.from_settings(settings)
    if name == "webhook":
        from perth.events.transports.webhook import WebhookTransport

        return WebhookTransport.from_settings(settings)
    raise ConfigError(f"unknown events transport {name!r}", f"use any of {', '.join(TRANSPORTS)}")


def open_transports(settings: Settings) -> dict[str, Transport]:
    """Every configured transport, by name."""
    return {name: open_transport(name, settings) for name in configured(settings)}
