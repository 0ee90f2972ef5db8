"""A WebSocket client for tests: collects every message with its arrival time.

A background thread reads the socket, so a test can fire something (an ``snmptrap``, a
REST call) and then wait for the resulting push with :meth:`WsClient.wait_for`, which
blocks on a condition variable until the message is there or the timeout passes: no
sleeps, no polling. Each message keeps ``time.monotonic()`` at receipt, so latency is
measured from the test's own clock (send -> receipt), not from server timestamps.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


@dataclass(frozen=True, slots=True)
class Received:
    index: int  # position in the connection's message list
    at: float  # time.monotonic() when the reader thread got it
    text: str
    json: Any  # the parsed JSON, or None for a non-JSON text frame (e.g. "pong")

    @property
    def type(self) -> str | None:
        if isinstance(self.json, dict):
            value = self.json.get("type")
            return value if isinstance(value, str) else None
        return None


class WsTimeout(AssertionError):
    pass


class WsClient:
    """One open WebSocket to ``/api/ws``; use as a context manager."""

    def __init__(self, url: str, *, open_timeout: float = 5.0) -> None:
        self.url = url
        # proxy=None: never route loopback test traffic through an environment proxy.
        self._ws: ClientConnection = connect(
            url,
            open_timeout=open_timeout,
            proxy=None,
            max_size=None,
            close_timeout=2,
            legacy=True,
        )
        self.messages: list[Received] = []
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self.closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, name=f"ws-reader {url}", daemon=True)
        self._thread.start()

    @classmethod
    def with_token(cls, ws_url: str, token: str, **kwargs: Any) -> WsClient:
        return cls(f"{ws_url}?token={quote(token, safe='')}", **kwargs)

    def _read(self) -> None:
        try:
            for frame in self._ws:
                text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
                try:
                    parsed: Any = json.loads(text)
                except ValueError:
                    parsed = None
                with self._cond:
                    msg = Received(len(self.messages), time.monotonic(), text, parsed)
                    self.messages.append(msg)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            # The close frame the server actually sent (None if the TCP connection just
            # dropped, which a browser would report as 1006).
            rcvd = self._ws.protocol.close_rcvd
            with self._cond:
                if rcvd is not None:
                    self.close_code, self.close_reason = rcvd.code, rcvd.reason
                self.closed = True
                self._cond.notify_all()

    # -- waiting -------------------------------------------------------------------------

    def mark(self) -> int:
        """The index the next message will get; pass as ``since`` to ignore older ones."""
        with self._cond:
            return len(self.messages)

    def wait_for(
        self,
        type_: str | None,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int = 0,
        text: str | None = None,
    ) -> Received:
        """The first message at index >= ``since`` with JSON ``type`` == ``type_`` (or raw
        text == ``text``) for which ``predicate(json)`` holds; waits up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            pos = since
            while True:
                while pos < len(self.messages):
                    msg = self.messages[pos]
                    pos += 1
                    if text is not None and msg.text != text:
                        continue
                    if type_ is not None and msg.type != type_:
                        continue
                    if predicate is not None and not predicate(msg.json):
                        continue
                    return msg
                if self.closed:
                    raise WsTimeout(
                        f"socket closed (code {self.close_code}, {self.close_reason!r}) before "
                        f"a matching {type_ or text!r} message; got {self._summary(since)}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WsTimeout(
                        f"no matching {type_ or text!r} message within {timeout} s; "
                        f"got {self._summary(since)}"
                    )
                self._cond.wait(remaining)

    def messages_of(self, type_: str, *, since: int = 0) -> list[Received]:
        with self._cond:
            return [m for m in self.messages[since:] if m.type == type_]

    def wait_closed(self, timeout: float = 5.0) -> int | None:
        """Wait until the server closes the socket; returns the close code received."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WsTimeout(f"socket still open after {timeout} s")
                self._cond.wait(remaining)
            return self.close_code

    def _summary(self, since: int) -> str:
        seen = [m.type or repr(m.text[:40]) for m in self.messages[since:]]
        return f"{len(seen)} message(s) {seen[:20]}"

    # -- sending -------------------------------------------------------------------------

    def send(self, text: str) -> None:
        self._ws.send(text)

    def close(self) -> None:
        self._ws.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
