"""The events listener alone, on a real UDP socket: what it hands to the event loop."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import Any, cast

from services.common.events import encode_event, encode_event_json
from services.gateway.events_listener import EventsListener


def test_trap_data_is_forwarded_as_signed_text() -> None:
    """The listener slices ``data`` out of the datagram; both encoders must put it last."""
    record = {"seq": 3, "trap_type": "linkDown", "varbinds": [{"value": 'a,"data":{"x"}'}]}
    got: list[Any] = []
    arrived = threading.Event()

    def deliver(batch: list[Any]) -> None:
        got.extend(batch)
        if len(got) >= 2:
            arrived.set()

    class _Loop:
        def call_soon_threadsafe(self, fn: Any, *args: Any) -> None:
            fn(*args)

    listener = EventsListener("127.0.0.1:0", b"k", deliver)
    listener.start(cast(asyncio.AbstractEventLoop, _Loop()))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(encode_event(b"k", "trapd", 1, "trap", record), ("127.0.0.1", listener.port))
            text = json.dumps(record, separators=(",", ":"))
            s.sendto(
                encode_event_json(b"k", "trapd", 2, "trap", text), ("127.0.0.1", listener.port)
            )
        assert arrived.wait(5)
    finally:
        listener.stop()
    for event, raw in got:
        assert raw is not None and json.loads(raw) == record == event.data


def test_listener_counts_bad_datagrams_and_reports_kernel_drops() -> None:
    got: list[Any] = []

    class _Loop:
        def call_soon_threadsafe(self, fn: Any, *args: Any) -> None:
            fn(*args)

    listener = EventsListener("127.0.0.1:0", b"k", got.extend)
    listener.start(cast(asyncio.AbstractEventLoop, _Loop()))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"not an event", ("127.0.0.1", listener.port))
            s.sendto(encode_event(b"other", "trapd", 1, "trap", {}), ("127.0.0.1", listener.port))
            s.sendto(encode_event(b"k", "trapd", 2, "bogus", {}), ("127.0.0.1", listener.port))
            s.sendto(
                encode_event(b"k", "walker", 3, "walk_progress", {}), ("127.0.0.1", listener.port)
            )
        deadline = threading.Event()
        for _ in range(100):
            if listener.received >= 4:
                break
            deadline.wait(0.05)
        snap = listener.snapshot()
    finally:
        listener.stop()
    assert snap["events_dropped"] == {"unsigned": 1, "bad_signature": 1, "unknown_type": 1}
    assert [e.type for e, _ in got] == ["walk_progress"]
    assert snap["events_kernel_drops"] == 0
