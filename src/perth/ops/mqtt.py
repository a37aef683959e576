"""MQTT jobs with paho-mqtt: publish (QoS 0/1, retained) and subscribe (N messages or a time).

``perth job run mqtt --target mqtt://[user@]host:1883 -- publish TOPIC MESSAGE`` (``--qos``,
``--retain``) or ``-- subscribe TOPIC`` (``--count N`` and/or ``--seconds S``; the messages are
the output, one ``topic<TAB>payload`` line each).  ``--will-topic``/``--will-message`` set the
connection's last will, published by the broker if the job's connection drops without saying
goodbye (its worker died).  The password comes from ``--password-env NAME``.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Protocol

from perth.errors import InvalidInputError, ProviderRejectedError, TransientError
from perth.ops.port import JobCancelledError, JobTimeoutError, WorkResult
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.ops.model import Job
    from perth.ops.port import JobIO


class Broker(Record):
    """Where to connect, as whom, and the connection's last will."""

    host: str
    port: int = 1883
    user: str | None = None
    password: str | None = None
    will_topic: str | None = None
    will_message: str = ""
    client_id: str = ""


class Message(Record):
    """One received message."""

    topic: str
    payload: str
    retained: bool = False


def parse_broker(target: str) -> tuple[str | None, str, int]:
    """``mqtt://[user@]host[:port]`` (or ``host[:port]``) -> (user, host, port)."""
    from urllib.parse import urlsplit

    parts = urlsplit(target if "://" in target else f"mqtt://{target}")
    if parts.scheme != "mqtt" or not parts.hostname:
        raise InvalidInputError(f"bad MQTT target {target!r}", "write it as mqtt://[user@]host[:port]")
    if parts.password:
        raise InvalidInputError("the MQTT target holds a password", "pass it with --password-env NAME instead")
    return parts.username, parts.hostname, parts.port or 1883


class MqttClient(Protocol):
    """Publish and subscribe on one broker."""

    def publish(self, broker: Broker, topic: str, payload: str, *, qos: int, retain: bool, io: JobIO) -> None:
        """Publish one message (QoS 1 waits for the broker's acknowledgement)."""

    def subscribe(self, broker: Broker, topic: str, *, qos: int, count: int | None, seconds: float | None,
                  io: JobIO) -> list[Message]:
        """Collect messages until ``count`` arrived or ``seconds`` passed."""


class PahoClient:
    """The real adapter (paho-mqtt 2)."""

    def _connect(self, broker: Broker, io: JobIO) -> Any:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=broker.client_id)
        if broker.user:
            client.username_pw_set(broker.user, broker.password)
        if broker.will_topic:
            client.will_set(broker.will_topic, broker.will_message, qos=1)
        answered: queue.Queue[Any] = queue.Queue()
        client.on_connect = lambda _c, _u, _f, reason, _p: answered.put(reason)
        try:
            client.connect(broker.host, broker.port, keepalive=30)
        except OSError as exc:
            raise TransientError(f"cannot connect to the MQTT broker {broker.host}:{broker.port}: {exc}",
                                 "check that the broker is up") from exc
        client.loop_start()
        try:
            reason = answered.get(timeout=max(0.1, min(10.0, io.deadline - time.monotonic())))
        except queue.Empty:
            _close(client)
            raise TransientError(f"the MQTT broker {broker.host}:{broker.port} did not answer", "check it") from None
        if reason.is_failure:
            _close(client)
            raise ProviderRejectedError(f"the MQTT broker {broker.host}:{broker.port} refused the connection: {reason}",
                                        "check the user and --password-env")
        return client

    def publish(self, broker: Broker, topic: str, payload: str, *, qos: int, retain: bool, io: JobIO) -> None:
        """Publish and, at QoS 1, wait for PUBACK."""
        client = self._connect(broker, io)
        try:
            info = client.publish(topic, payload, qos=qos, retain=retain)
            while not info.is_published():
                _check(io)
                info.wait_for_publish(timeout=0.1)
        finally:
            _close(client)

    def subscribe(self, broker: Broker, topic: str, *, qos: int, count: int | None, seconds: float | None,
                  io: JobIO) -> list[Message]:
        """Subscribe, then collect."""
        client = self._connect(broker, io)
        received: queue.Queue[Message] = queue.Queue()
        client.on_message = lambda _c, _u, m: received.put(
            Message(topic=m.topic, payload=m.payload.decode(errors="replace"), retained=bool(m.retain)))
        try:
            client.subscribe(topic, qos=qos)
            return _collect(received, count, seconds, io)
        finally:
            _close(client)


def _collect(received: queue.Queue[Message], count: int | None, seconds: float | None, io: JobIO) -> list[Message]:
    end = None if seconds is None else time.monotonic() + seconds
    messages: list[Message] = []
    while count is None or len(messages) < count:
        if end is not None and time.monotonic() >= end:
            break
        _check(io)
        try:
            message = received.get(timeout=0.1)
        except queue.Empty:
            continue
        messages.append(message)
        io.output.text(f"{message.topic}\t{message.payload}\n")
    return messages


def _check(io: JobIO) -> None:
    if io.stop.is_set():
        raise JobCancelledError("the job was stopped", "see `perth job show` for why")
    if time.monotonic() >= io.deadline:
        raise JobTimeoutError("the MQTT job ran past its timeout", "raise --timeout, or use --count/--seconds")


def _close(client: Any) -> None:
    client.disconnect()
    client.loop_stop()


class FakeBroker:
    """In memory: retained messages per topic and every published message, in order."""

    def __init__(self) -> None:
        self.retained: dict[str, str] = {}
        self.published: list[tuple[str, str, int, bool]] = []
        self.pending: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def publish(self, broker: Broker, topic: str, payload: str, *, qos: int, retain: bool, io: JobIO) -> None:
        """Keep the message (and the retained value)."""
        with self._lock:
            self.published.append((topic, payload, qos, retain))
            if retain:
                self.retained[topic] = payload
            self.pending.setdefault(topic, []).append(payload)

    def subscribe(self, broker: Broker, topic: str, *, qos: int, count: int | None, seconds: float | None,
                  io: JobIO) -> list[Message]:
        """The retained message, then what is pending, up to ``count``."""
        messages = [Message(topic=topic, payload=self.retained[topic], retained=True)] if topic in self.retained else []
        messages += [Message(topic=topic, payload=p) for p in self.pending.get(topic, [])]
        chosen = messages[:count] if count is not None else messages
        for message in chosen:
            io.output.text(f"{message.topic}\t{message.payload}\n")
        return chosen


class MqttWorker:
    """The ``mqtt`` job kind."""

    kind = "mqtt"
    remote = True

    def __init__(self, client: MqttClient | None = None) -> None:
        self.client = client

    def check(self, job: Job) -> None:
        """publish TOPIC MESSAGE or subscribe TOPIC with --count or --seconds."""
        parse_broker(job.target)
        shape = {"publish": 3, "subscribe": 2}.get(job.args[0]) if job.args else None
        if shape != len(job.args):
            raise InvalidInputError("an mqtt job is publish TOPIC MESSAGE or subscribe TOPIC",
                                    "e.g. perth job run mqtt --target mqtt://127.0.0.1 -- publish a/b hello")
        if job.args[0] == "subscribe" and not (job.options.get("count") or job.options.get("seconds")):
            raise InvalidInputError("a subscribe job needs --count N or --seconds S", "e.g. --count 1 --seconds 30")
        if int(job.options.get("qos", 0)) not in (0, 1):  # type: ignore[call-overload]
            raise InvalidInputError("--qos must be 0 or 1", "QoS 2 is not offered")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Connect, publish or subscribe, disconnect."""
        user, host, port = parse_broker(job.target)
        options = job.options
        secret = options.get("password_env")
        broker = Broker(host=host, port=port, user=user, password=os.environ.get(str(secret)) if secret else None,
                        will_topic=str(options["will_topic"]) if options.get("will_topic") else None,
                        will_message=str(options.get("will_message", "")),
                        client_id=f"perth-{job.short_id}-{job.attempt}")
        client = self.client or _paho()
        qos = int(options.get("qos", 0))  # type: ignore[call-overload]
        if job.args[0] == "publish":
            client.publish(broker, job.args[1], job.args[2], qos=qos, retain=bool(options.get("retain")), io=io)
            io.log(f"published to {job.args[1]} (qos {qos})")
            return WorkResult(result={"published": 1})
        count = options.get("count")
        seconds = options.get("seconds")
        messages = client.subscribe(broker, job.args[1], qos=qos, count=int(count) if count else None,  # type: ignore[call-overload]
                                    seconds=float(seconds) if seconds else None, io=io)  # type: ignore[arg-type]
        io.log(f"received {len(messages)} message(s) on {job.args[1]}")
        return WorkResult(result={"received": len(messages)})


def _paho() -> MqttClient:
    from perth.ops.extras import require

    require("paho", "ops")
    return PahoClient()
