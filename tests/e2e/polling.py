"""Waiting for a condition that can only be observed by asking (e.g. a counter over REST).

Used where no push exists to wait on; a deadline, never a fixed sleep: the check runs
again at once when it can, and the test fails with the last value it saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T],
    condition: Callable[[T], bool],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    """Call ``probe`` until ``condition(value)`` holds; returns that value."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    error: Exception | None = None
    while True:
        try:
            last = probe()
            error = None
            if condition(last):
                return last
        except Exception as exc:  # the service may still be coming up: keep asking
            error = exc
        if time.monotonic() >= deadline:
            detail = f"last error: {error!r}" if error is not None else f"last value: {last!r}"
            raise AssertionError(f"{what} not reached within {timeout} s; {detail}")
        # Back off a little so a slow service is not hammered by the waiting test.
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)
