"""MQTT (paho-mqtt), QoS 1: each event is one PUBLISH the broker acknowledges with a PUBACK.

An event goes to ``<events.mqtt_topic>/<type with dots as slashes>`` (subscribe to
``perth/events/#`` or ``perth/events/perth/intent/+``), its payload the envelope.  MQTT 3.1.1 has
no message id of its own: receivers de-duplicate by the envelope's ``id``.  A batch is queued at
once and every PUBACK awaited; a lost connection or a missing PUBACK fails the batch.
"""

from __future__ import annotations

import threading
import time

from perth.errors import TransientError
from perth.events.inbox import Inbox
from perth.events.transports.port import missing_extra

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.config import Settings
    from perth.events.records import StoredEvent


def _paho() -> Any:
    try:
        import paho.mqtt.client as mqtt
    except ImportError as exc:
        raise missing_extra("mqtt", "paho-mqtt") from exc
    return mqtt


def topic_for(prefix: str, event_type: str) -> str:
    return f"{prefix}/{event_type.replace('.', '/')}"


def _address(url: str) -> tuple[str, int, bool]:
    scheme, _, rest = url.partition("://")
    host_port = rest.rsplit("@", 1)[-1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    tls = scheme in ("mqtts", "ssl")
    return host or "127.0.0.1", int(port) if port else (8883 if tls else 1883), tls


class _Session:
    """One connected paho client with its network loop thread."""

    def __init__(self, url: str, timeout_s: float, client_id: str) -> None:
        mqtt = _paho()
        host, port, tls = _address(url)
        self.connected = threading.Event()
        self.lost = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
        userinfo = url.partition("://")[2].rpartition("@")[0]
        if userinfo:
            user, _, password = userinfo.partition(":")
            self.client.username_pw_set(user, password or None)
        if tls:
            self.client.tls_set()
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = lambda *_a: self.connected.set()
        self.client.on_disconnect = lambda *_a: self.lost.set()
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(timeout_s):
            self.close()
            raise TimeoutError(f"no CONNACK from {host}:{port} within {timeout_s:g} s")

    @property
    def alive(self) -> bool:
        return self.connected.is_set() and not self.lost.is_set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class MqttTransport:
    """Publishes every event with QoS 1 and waits for the broker's acknowledgements."""

    def __init__(self, url: str, topic: str, *, timeout_s: float = 10.0) -> None:
        self.url, self.topic, self.timeout_s = url, topic, timeout_s
        _paho()  # fail now, with the pip command, when the extra is missing
        self._session: _Session | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MqttTransport:
        return cls(str(settings.get("events.mqtt_url")), str(settings.get("events.mqtt_topic")),
                   timeout_s=float(settings.get_int("events.timeout_s")))

    @property
    def name(self) -> str:
        return "mqtt"

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        try:
            session = self._open()
            infos = [session.client.publish(topic_for(self.topic, e.type), e.body.encode(), qos=1) for e in events]
            deadline = time.monotonic() + self.timeout_s
            for info in infos:
                while not info.is_published():
                    if not session.alive or time.monotonic() > deadline:
                        raise ConnectionError("the connection was lost before every PUBACK arrived")
                    time.sleep(0.001)
        except Exception as exc:
            self.close()
            raise TransientError(f"MQTT broker at {self.url.rsplit('@', 1)[-1]} is unreachable: {exc!r}",
                                 "check the broker; events wait in the outbox") from exc

    def _open(self) -> _Session:
        if self._session is None or not self._session.alive:
            if self._session is not None:
                self._session.close()
            self._session = _Session(self.url, self.timeout_s, f"perth-events-{time.time_ns():x}")
        return self._session

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()


class MqttConsumer:
    """Subscribes to ``<topic>/#`` with QoS 1 (``perth events consume``, tests)."""

    def __init__(self, url: str, topic: str, *, timeout_s: float = 10.0) -> None:
        self.url, self.topic, self.timeout_s = url, topic, timeout_s
        self._inbox = Inbox()
        self._session: _Session | None = None

    def open(self) -> MqttConsumer:
        session = _Session(self.url, self.timeout_s, f"perth-consumer-{time.time_ns():x}")
        session.client.on_message = self._on_message
        subscribed = threading.Event()
        session.client.on_subscribe = lambda *_a: subscribed.set()
        session.client.subscribe(f"{self.topic}/#", qos=1)
        if not subscribed.wait(self.timeout_s):
            session.close()
            raise TimeoutError("no SUBACK from the MQTT broker")
        self._session = session
        return self

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        self._inbox.put(bytes(message.payload))

    def receive(self, wait_s: float = 1.0) -> list[bytes]:
        return self._inbox.receive(wait_s)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
