"""Values that change with time: uptime, counters with rates and wrap, wandering gauges.

Every live value is a pure function of the device's elapsed time, so a GET and a walk
taken at the same instant agree, and the data plane computes a value without keeping or
mutating any per-value state. Rules come from snmprec variation tags
(``65:numeric|rate=1000,initial=5``) or from the API, with the same parameter names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from services.common.snmp import ber

# Parameters of the ``numeric`` rule that we implement; other snmpsim parameters are
# reported by the importer as ignored.
NUMERIC_PARAMS = frozenset(
    {"initial", "value", "rate", "min", "max", "wrap", "deviation", "period", "seed"}
)
_UNSIGNED_BITS = {ber.COUNTER32: 32, ber.GAUGE32: 32, ber.TIMETICKS: 32, ber.COUNTER64: 64}


class RuleError(ValueError):
    """A rule's parameters do not make sense; the message says which."""


@dataclass(slots=True)
class LiveRule:
    """A declarative rule, kept with the record so that exports reproduce it."""

    kind: str  # "numeric" (the only kind the data plane computes)
    params: dict[str, str] = field(default_factory=dict)

    def to_tag_text(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.params.items())


def parse_params(text: str) -> dict[str, str]:
    """``"rate=10,initial=5"`` -> dict; a bare word is a flag set to ``"1"``."""
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        out[key.strip()] = value.strip() if sep else "1"
    return out


def _num(params: dict[str, str], key: str, default: float) -> float:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise RuleError(f"{key}={raw!r} is not a number") from None


def exact_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            raise RuleError(f"initial={text!r} is not a number") from None


def _noise(seed: int, bucket: int) -> float:
    """A deterministic number in [-1, 1) for (seed, time bucket)."""
    digest = hashlib.blake2b(
        seed.to_bytes(8, "little", signed=True) + bucket.to_bytes(8, "little", signed=True),
        digest_size=8,
    ).digest()
    return int.from_bytes(digest, "little") / 2**63 - 1.0


class LiveValue:
    """A compiled ``numeric`` rule for one object: ``tlv(elapsed_seconds)`` -> value TLV.

    * counters (Counter32/64): ``initial + rate * t``, wrapping at 2^32 / 2^64 (or at
      ``max`` when given), never decreasing between wraps;
    * TimeTicks with ``rate`` (sysUpTime is ``rate=100``): the same, wrapping at 2^32;
    * gauges and integers: ``initial + rate * t`` clamped to ``[min, max]``, plus, with
      ``deviation``, a smooth deterministic wander of that amplitude (new target every
      ``period`` seconds, linear in between).
    """

    __slots__ = (
        "_dev",
        "_hi",
        "_initial",
        "_is_counter",
        "_lo",
        "_modulus",
        "_period",
        "_rate",
        "_seed",
        "tag",
    )

    def __init__(self, tag: int, rule: LiveRule, seed: int = 0) -> None:
        if rule.kind != "numeric":
            raise RuleError(f"unsupported live rule {rule.kind!r}")
        p = rule.params
        self.tag = tag
        bits = _UNSIGNED_BITS.get(tag)
        if tag not in _UNSIGNED_BITS and tag != ber.INTEGER:
            raise RuleError("live values need an integer type (Integer32, Counter, Gauge, ...)")
        type_lo, type_hi = (0, 2**bits - 1) if bits else (-(2**31), 2**31 - 1)
        # Exact integers: a Counter64 near 2^64 does not survive a float.
        self._initial = exact_int(p.get("initial") or p.get("value") or "0")
        self._rate = _num(p, "rate", 0)
        self._lo = _num(p, "min", type_lo)
        self._hi = _num(p, "max", type_hi)
        if self._lo > self._hi:
            raise RuleError(f"min {self._lo} is above max {self._hi}")
        self._dev = _num(p, "deviation", 0)
        self._period = max(_num(p, "period", 10), 0.01)
        self._seed = int(_num(p, "seed", seed))
        self._is_counter = tag in (ber.COUNTER32, ber.COUNTER64, ber.TIMETICKS)
        if self._is_counter:
            wrap = p.get("wrap")
            if wrap in ("64",) and tag == ber.COUNTER64:
                self._modulus = 2**64
            elif wrap == "32":
                self._modulus = 2**32
            else:
                self._modulus = int(self._hi) + 1
            if self._rate < 0:
                raise RuleError("a counter's rate cannot be negative")
        else:
            self._modulus = 0

    def value(self, t: float) -> int:
        delta = self._rate * t
        if self._dev:
            b = int(t // self._period)
            frac = (t - b * self._period) / self._period
            a0 = _noise(self._seed, b)
            a1 = _noise(self._seed, b + 1)
            delta += self._dev * (a0 + (a1 - a0) * frac)
        raw = self._initial + int(delta)
        if self._is_counter:
            return raw % self._modulus
        return int(min(max(raw, self._lo), self._hi))

    def tlv(self, t: float) -> bytes:
        v = self.value(t)
        content = ber.encode_int(v) if self.tag == ber.INTEGER else ber.encode_uint(v)
        return ber.tlv(self.tag, content)


def compile_rule(tag: int, rule: LiveRule, seed: int = 0) -> LiveValue:
    return LiveValue(tag, rule, seed)


def rule_with_initial(rule: LiveRule, tag: int, value: int, t: float) -> LiveRule:
    """The same rule, re-anchored so that it reads ``value`` at elapsed time ``t``."""
    params = dict(rule.params)
    rate = _num(params, "rate", 0)
    params.pop("value", None)
    params["initial"] = str(value - int(rate * t))
    compile_rule(tag, LiveRule(rule.kind, params))  # validate
    return LiveRule(rule.kind, params)


def describe(rule: LiveRule) -> dict[str, Any]:
    return {"kind": rule.kind, **rule.params}
