"""SNMP clients over the shared wire codec: asynchronous, and blocking for worker threads.

One :class:`CommunitySession` is one UDP socket connected to one agent. Requests are
matched to responses by request-id, so a late answer to an earlier try still counts and a
stray datagram is dropped. :meth:`CommunitySession.start` sends without waiting, which
lets a walk put its next request on the wire before it renders the current answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.common.snmp import ber, message
from services.common.snmp.message import Message, VarBind

# early(request id, var-bind count, last OID's content, last value's tag) -> undo or None
EarlyHook = Callable[[int, int, bytes, int], Callable[[], None] | None]


class SnmpFailure(Exception):
    """An exchange with the agent failed; the message says why in plain words."""


class SnmpTimeout(SnmpFailure):
    """The agent did not answer within the timeout after every retry."""


class SnmpCancelled(Exception):
    """The request was abandoned because its walk was cancelled."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A resolved agent address: what the user typed, and the socket address it became."""

    host: str
    port: int
    family: int
    sockaddr: tuple[object, ...]

    @property
    def label(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class CommunityFramer:
    """v1/v2c requests and answers: a community in the clear around the PDU."""

    def __init__(self, version: int, community: bytes) -> None:
        self.version = version
        self.community = community

    def encode(self, pdu_type: int, request_id: int, non_repeaters: int,
               max_repetitions: int, encoded_varbinds: bytes) -> bytes:  # fmt: skip
        return message.encode_message(self.version, self.community, pdu_type, request_id,
                                      non_repeaters, max_repetitions, encoded_varbinds)  # fmt: skip

    def decode(self, datagram: bytes) -> tuple[None, Message]:
        msg = message.decode_message(datagram)
        if not isinstance(msg, Message):
            raise ber.DecodeError("not a response")
        return None, msg


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, framer: Any) -> None:
        self.framer = framer
        self.pendings: dict[int, Pending] = {}
        self.malformed = 0

    def datagram_received(self, data: bytes, addr: object) -> None:
        try:
            header, msg = self.framer.decode(data)
        except ber.DecodeError:
            self.malformed += 1
            return
        pending = self.pendings.get(msg.request_id)
        if pending is not None:
            pending.answer(header, msg)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable arrives here on a connected socket; the request then
        # times out like Net-SNMP's, which keeps one behaviour for every failure.
        pass


class Pending:
    """One request on the wire; :meth:`wait` resends it on timeout as retries allow."""

    def __init__(
        self,
        session: CommunitySession,
        request_id: int,
        encode: Callable[[], bytes],
        discovering: bool = False,
    ) -> None:
        self._session = session
        self.request_id = request_id
        self._encode = encode  # called again for a resend: v3 messages carry the clock
        self._discovering = discovering
        self._resyncs = 0
        self._future: asyncio.Future[Message] = session._loop.create_future()
        session._proto.pendings[request_id] = self
        session._send(encode())

    def answer(self, header: Any, msg: Message) -> None:
        """The datagram callback's half: settle the request (or resend it, for a Report)."""
        fut = self._future
        if fut.done():
            return
        if msg.pdu_type == ber.REPORT:
            session = self._session
            try:
                session.framer.report_action(header, msg)
            except SnmpFailure as exc:
                fut.set_exception(exc)
                return
            if not self._discovering:
                # Time window (or a restarted engine): the same request, with the agent's
                # clock as the Report gave it.
                self._resyncs += 1
                if self._resyncs > 3:
                    fut.set_exception(
                        SnmpFailure("SNMPv3: the agent keeps rejecting our clock (notInTimeWindow)")
                    )
                    return
                session._send(self._encode())
                return
        fut.set_result(msg)

    def cancel(self) -> None:
        if not self._future.done():
            self._future.set_exception(SnmpCancelled())
            self._future.exception()  # retrieved here: nobody may be awaiting it
        self._session._proto.pendings.pop(self.request_id, None)

    async def wait(self) -> Message:
        session = self._session
        try:
            for attempt in range(session.retries + 1):
                if attempt:
                    session.resends += 1
                    session._send(self._encode())
                handle = session._loop.call_later(session.timeout, _expire, self._future)
                try:
                    return await self._future
                except _Expired:
                    self._future = session._loop.create_future()
                finally:
                    handle.cancel()
            raise SnmpTimeout(
                f"no response from {session.endpoint.label} after "
                f"{session.retries + 1} tries of {session.timeout:g} s"
            )
        finally:
            session._proto.pendings.pop(self.request_id, None)


class _Expired(Exception):
    pass


def _expire(fut: asyncio.Future[Message]) -> None:
    if not fut.done():
        fut.set_exception(_Expired())


class CommunitySession:
    """Requests to one agent: SNMPv1/v2c with a community, or SNMPv3 with a USM framer
    (``usm_client.UsmFramer``; ``async with`` then discovers the agent's engine first)."""

    def __init__(
        self,
        endpoint: Endpoint,
        version: int,
        community: bytes = b"",
        *,
        timeout: float = 1.0,
        retries: int = 1,
        framer: Any = None,
    ) -> None:
        self.endpoint = endpoint
        self.version = version
        self.framer: Any = framer if framer is not None else CommunityFramer(version, community)
        self.timeout = timeout
        self.retries = retries
        self._loop = asyncio.get_running_loop()
        self._proto = _Protocol(self.framer)
        self._transport: asyncio.DatagramTransport | None = None
        self._ids = itertools.count(random.randint(1, 1 << 30))
        self.resends = 0  # requests sent again after a timeout

    async def __aenter__(self) -> CommunitySession:
        sock = socket.socket(self.endpoint.family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            # A bulk walk's answers arrive in bursts; room for them avoids kernel drops.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.connect(self.endpoint.sockaddr)
            transport, _ = await self._loop.create_datagram_endpoint(lambda: self._proto, sock=sock)
        except BaseException:
            sock.close()
            raise
        self._transport = transport
        try:
            await self._discover()
        except BaseException:
            transport.close()
            raise
        return self

    async def _discover(self) -> None:
        discover = getattr(self.framer, "discovery_request", None)
        if discover is None or self.framer.ready:
            return
        request_id = next(self._ids) & 0x7FFFFFFF
        datagram = discover(request_id)
        await Pending(self, request_id, lambda: datagram, discovering=True).wait()

    async def __aexit__(self, *exc: object) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    @property
    def malformed(self) -> int:
        return self._proto.malformed

    def _send(self, datagram: bytes) -> None:
        assert self._transport is not None, "session used outside 'async with'"
        self._transport.sendto(datagram)

    def start(
        self,
        pdu_type: int,
        varbinds: list[VarBind],
        non_repeaters: int = 0,
        max_repetitions: int = 0,
    ) -> Pending:
        """Send a request now; :meth:`Pending.wait` for its answer."""
        request_id = next(self._ids) & 0x7FFFFFFF
        encoded = b"".join(message.encode_varbind(o, v) for o, v in varbinds)
        framer = self.framer

        def encode() -> bytes:
            return bytes(framer.encode(pdu_type, request_id, non_repeaters, max_repetitions,
                                       encoded))  # fmt: skip

        return Pending(self, request_id, encode)

    async def request(
        self,
        pdu_type: int,
        varbinds: list[VarBind],
        non_repeaters: int = 0,
        max_repetitions: int = 0,
    ) -> Message:
        return await self.start(pdu_type, varbinds, non_repeaters, max_repetitions).wait()


class BlockingSession:
    """Requests on a blocking socket, for a walk run in a worker thread.

    A walk's datagrams then cost two system calls each instead of a trip through the
    event loop. ``wait`` polls in slices of 0.1 s so that cancelling a walk takes effect
    even while an agent is silent. The framer makes the messages: community-based, or
    SNMPv3 USM (``usm_client.UsmFramer``, which also needs :meth:`prepare`).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        version: int,
        community: bytes = b"",
        *,
        timeout: float = 1.0,
        retries: int = 1,
        framer: Any = None,
    ) -> None:
        self.endpoint = endpoint
        self.version = version
        self.framer: Any = framer if framer is not None else CommunityFramer(version, community)
        self.timeout = timeout
        self.retries = retries
        self.resends = 0
        self.malformed = 0
        self._ids = itertools.count(random.randint(1, 1 << 30))
        # Submitted requests: id -> [encode, deadline, tries so far]
        self._out: dict[int, list[Any]] = {}
        self._sock = socket.socket(endpoint.family, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            self._sock.connect(endpoint.sockaddr)
        except BaseException:
            self._sock.close()
            raise
        # readable() runs every few rows while a walk renders: a registered poll costs
        # half of a select() call.
        self._poll = select.poll()
        self._poll.register(self._sock, select.POLLIN)

    def __enter__(self) -> BlockingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()

    def _next_id(self) -> int:
        return next(self._ids) & 0x7FFFFFFF

    def _send_raw(self, datagram: bytes) -> None:
        with contextlib.suppress(OSError):  # e.g. a refusal left by an earlier ICMP error
            self._sock.send(datagram)

    def submit(self, pdu_type: int, oid_content: bytes, max_repetitions: int) -> int:
        """Send a request whose answer :meth:`next_answer` will hand back; its id."""
        request_id, encode = self.send(pdu_type, oid_content, max_repetitions)
        self._out[request_id] = [encode, time.monotonic() + self.timeout, 0]
        return int(request_id)

    def forget(self, request_id: int) -> None:
        """Stop waiting for a submitted request (its answer, if it comes, is dropped)."""
        self._out.pop(request_id, None)

    def next_answer(
        self, control: Any = None, early: EarlyHook | None = None
    ) -> tuple[int, Message | None]:
        """The next answer to any submitted request, as ``(request id, message)``; the
        message is None when that request ran out of retries. Resends on each request's
        own timeout; SnmpCancelled when ``control`` is cancelled.

        ``early(request_id, count, last_oid, last_tag)`` sees a plain v1/v2c Response (no
        error) the moment it arrives, before its var-binds are decoded, so that a walk can
        put its next request on the wire first; if the full decode then fails, the callable
        it returned (if any) is called to take that back, and the datagram is dropped."""
        sock = self._sock
        out = self._out
        hook = early if isinstance(self.framer, CommunityFramer) else None  # not v3
        while True:
            if control is not None and control.cancelled:
                raise SnmpCancelled()
            if not out:
                raise RuntimeError("next_answer with nothing submitted")
            now = time.monotonic()
            for request_id, entry in list(out.items()):
                if entry[1] <= now:
                    if entry[2] >= self.retries:
                        del out[request_id]
                        return request_id, None
                    entry[2] += 1
                    entry[1] = now + self.timeout
                    self.resends += 1
                    self._send_raw(entry[0]())
            wait = min(entry[1] for entry in out.values()) - now
            sock.settimeout(max(0.001, min(wait, 0.1)))
            try:
                data = sock.recv(65535)
            except (TimeoutError, ConnectionRefusedError):
                continue
            undo = None
            if hook is not None:
                head = message.peek_response(data)
                if head is not None and head[0] in out:
                    undo = hook(*head)
            try:
                header, msg = self.framer.decode(data)
            except ber.DecodeError:
                self.malformed += 1
                if undo is not None:
                    undo()
                continue
            found = out.get(msg.request_id)
            if found is None:
                continue
            if msg.pdu_type == ber.REPORT:
                self.framer.report_action(header, msg)  # raises on a Report we cannot use
                found[2] += 1  # a resync counts against the request's tries
                if found[2] > self.retries + 3:
                    raise SnmpFailure("SNMPv3: the agent keeps rejecting our clock "
                                      "(notInTimeWindow)")  # fmt: skip
                found[1] = time.monotonic() + self.timeout
                self._send_raw(found[0]())
                continue
            del out[msg.request_id]
            return msg.request_id, msg

    def readable(self) -> bool:
        """Whether an answer is waiting on the socket (a poll that does not block)."""
        return bool(self._poll.poll(0))

    def prepare(self, control: Any = None) -> None:
        """SNMPv3: learn the agent's engine (ID, boots, time) before the first request."""
        discover = getattr(self.framer, "discovery_request", None)
        if discover is None or self.framer.ready:
            return
        request_id = self._next_id()
        datagram = discover(request_id)
        self._send_raw(datagram)
        self._await(request_id, lambda: datagram, control, discovering=True)

    def send(self, pdu_type: int, oid_content: bytes, max_repetitions: int) -> Any:
        """Send a one-var-bind request now; the handle is for :meth:`wait`."""
        request_id = self._next_id()
        encoded = message.encode_varbind(oid_content, ber.NULL_TLV)

        def encode() -> bytes:
            return bytes(self.framer.encode(pdu_type, request_id, 0, max_repetitions, encoded))

        self._send_raw(encode())
        return request_id, encode

    def wait(self, handle: Any, control: Any = None) -> Message:
        """The answer to ``handle``, resending on timeout; SnmpCancelled if ``control``
        (anything with a ``cancelled`` flag) is cancelled meanwhile."""
        request_id, encode = handle
        return self._await(request_id, encode, control)

    def _await(self, request_id: int, encode: Callable[[], bytes], control: Any,
               discovering: bool = False) -> Message:  # fmt: skip
        sock = self._sock
        attempt = resyncs = 0
        deadline = time.monotonic() + self.timeout
        while True:
            if control is not None and control.cancelled:
                raise SnmpCancelled()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                attempt += 1
                if attempt > self.retries:
                    raise SnmpTimeout(
                        f"no response from {self.endpoint.label} after "
                        f"{self.retries + 1} tries of {self.timeout:g} s"
                    )
                self.resends += 1
                self._send_raw(encode())
                deadline = time.monotonic() + self.timeout
                continue
            sock.settimeout(min(remaining, 0.1))
            try:
                data = sock.recv(65535)
            except (TimeoutError, ConnectionRefusedError):
                continue
            try:
                header, msg = self.framer.decode(data)
            except ber.DecodeError:
                self.malformed += 1
                continue
            if msg.request_id != request_id:
                continue
            if msg.pdu_type == ber.REPORT:
                self.framer.report_action(header, msg)  # raises on a Report we cannot use
                if not discovering:
                    # Time window (or a restarted engine): the same request, with the
                    # agent's clock as the Report gave it.
                    resyncs += 1
                    if resyncs > 3:
                        raise SnmpFailure("SNMPv3: the agent keeps rejecting our clock "
                                          "(notInTimeWindow) for this request")  # fmt: skip
                    self._send_raw(encode())
                    deadline = time.monotonic() + self.timeout
                    continue
            return msg
