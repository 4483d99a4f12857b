"""Login throttling with the `limits` library: 5 failures in 15 minutes per account or per IP, then a wait."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

FAILURES = parse("5/15 minutes")


class LoginThrottle:
    """Counts failed logins in memory by default; any `limits` URI (redis://...) serves several workers."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def wait_seconds(self, username: str, ip: str) -> int:
        """0 when a login may be tried now, otherwise how long to wait."""
        waits = []
        for key in (f"user:{username}", f"ip:{ip}"):
            if not self.limiter.test(FAILURES, key):
                reset, _remaining = self.limiter.get_window_stats(FAILURES, key)
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits, default=0)

    def failed(self, username: str, ip: str) -> None:
        self.limiter.hit(FAILURES, f"user:{username}")
        self.limiter.hit(FAILURES, f"ip:{ip}")

    def succeeded(self, username: str) -> None:
        self.limiter.clear(FAILURES, f"user:{username}")
