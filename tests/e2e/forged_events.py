"""Event datagrams an attacker could send to the gateway's events port.

Built from the documented wire format (docs/internal-api.md, services/common/events.py
docstring) without importing the services' code, so a bug there cannot hide itself:
``{"sig":"<64 hex HMAC-SHA256>","v":1,"svc":...,"seq":...,"type":...,"ts":...,"data":...}``
with the HMAC over the datagram without its ``"sig":"…",`` member.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any


def _payload(service: str, type_: str, data: Any, seq: int) -> bytes:
    body = {"v": 1, "svc": service, "seq": seq, "type": type_, "ts": time.time(), "data": data}
    return json.dumps(body, separators=(",", ":")).encode()


def unsigned(service: str, type_: str, data: Any, *, seq: int = 1) -> bytes:
    """Plain event JSON with no signature at all."""
    return _payload(service, type_, data, seq)


def signed_with(key: bytes, service: str, type_: str, data: Any, *, seq: int = 1) -> bytes:
    payload = _payload(service, type_, data, seq)
    sig = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    return b'{"sig":"' + sig + b'",' + payload[1:]


def forged(service: str, type_: str, data: Any, *, seq: int = 1) -> bytes:
    """Well-formed and signed, but with a key that is not the internal secret."""
    return signed_with(secrets.token_bytes(32), service, type_, data, seq=seq)
