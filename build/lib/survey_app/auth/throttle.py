"""Login throttling with the `limits` library, built so an attacker cannot lock a real user out.

Failures are counted per account *and* IP address (5 in 15 minutes, then a wait for that pair only) and per IP
address across accounts (30 in 15 minutes: password spraying). Someone guessing `admin`'s password from one
address therefore waits, while `admin` logging in from their own address does not. Every failure also costs a
short pause, and the account's owner is told at their next login how many attempts failed meanwhile.
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

PAIR_FAILURES = parse("5/15 minutes")
IP_FAILURES = parse("30/15 minutes")


class LoginThrottle:
    """Counts failed logins in memory by default; any `limits` URI (redis://...) serves several workers."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _keys(self, username: str, ip: str) -> list[tuple[object, str]]:
        return [(PAIR_FAILURES, f"pair:{username}:{ip}"), (IP_FAILURES, f"ip:{ip}")]

    def wait_seconds(self, username: str, ip: str) -> int:
        """0 when a login may be tried now, otherwise how long to wait."""
        waits = []
        for limit, key in self._keys(username, ip):
            if not self.limiter.test(limit, key):  # type: ignore[arg-type]
                reset, _remaining = self.limiter.get_window_stats(limit, key)  # type: ignore[arg-type]
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits, default=0)

    def failed(self, username: str, ip: str) -> None:
        for limit, key in self._keys(username, ip):
            self.limiter.hit(limit, key)  # type: ignore[arg-type]

    def succeeded(self, username: str, ip: str) -> None:
        self.limiter.clear(PAIR_FAILURES, f"pair:{username}:{ip}")
