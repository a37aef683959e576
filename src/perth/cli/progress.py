"""A progress line on stderr for long operations, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import TextIO, TypeVar

    T = TypeVar("T")


class Progress:
    """Counts items and redraws ``<label>: N <unit>`` at most ten times a second on a TTY."""

    def __init__(self, label: str, unit: str = "lines", stream: TextIO | None = None,
                 delay_s: float = 1.0) -> None:
        self.label = label
        self.unit = unit
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.count = 0
        self._started = time.monotonic()
        self._delay = delay_s
        self._last = 0.0
        self._drawn = False

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items`` while counting them."""
        for item in items:
            self.count += 1
            if self.enabled:
                self._draw()
            yield item
        self.close()

    def _draw(self) -> None:
        now = time.monotonic()
        if now - self._started < self._delay or now - self._last < 0.1:
            return  # quick operations never show a progress line
        self._last = now
        self._drawn = True
        self.stream.write(f"\r{self.label}: {self.count:,} {self.unit}")
        self.stream.flush()

    def close(self) -> None:
        """Finish the line if one was drawn."""
        if self._drawn:
            self.stream.write(f"\r{self.label}: {self.count:,} {self.unit}, done\n")
            self.stream.flush()
            self._drawn = False


class Spinner:
    """``<label> ... N s`` on stderr while a slow call runs (a provider, say); TTY only, after a delay.

    Use as a context manager; the line is drawn by a daemon thread once a second and erased at the end.
    """

    def __init__(self, label: str, stream: TextIO | None = None, delay_s: float = 1.0) -> None:
        import threading

        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay_s = delay_s
        self.drawn = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="perth-spinner", daemon=True)

    def __enter__(self) -> Spinner:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()
            if self.drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def _run(self) -> None:
        started = time.monotonic()
        wait = self.delay_s
        while not self._stop.wait(wait):
            self.stream.write(f"\r{self.label} ... {time.monotonic() - started:.0f} s")
            self.stream.flush()
            self.drawn += 1
            wait = 1.0


class StatusLine:
    """A status line on stderr redrawn on demand (``show``), erased at the end; TTY only."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._started = time.monotonic()
        self._drawn = False

    def __enter__(self) -> StatusLine:
        return self

    def show(self, text: str) -> None:
        """Redraw the line with ``text`` and the time elapsed."""
        if self.enabled:
            self.stream.write(f"\r\x1b[K{text} ... {time.monotonic() - self._started:.0f} s")
            self.stream.flush()
            self._drawn = True

    def __exit__(self, *exc: object) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
