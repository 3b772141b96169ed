"""Per-user rate limiting for the chat bots: a sliding window of requests per minute, and one polite refusal."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


def slow_down(wait: float) -> str:
    """What a user over the limit is told."""
    return f"You are asking faster than I can read. Please wait {max(1, round(wait))} seconds and ask again."


class RateLimit:
    """At most `per_minute` requests per user in any 60 seconds (0 or less: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._told: set[int] = set()
        self._swept = clock()

    def __len__(self) -> int:
        """Users whose requests are still remembered."""
        return len(self._seen)

    def _sweep(self, now: float) -> None:
        """Forget users with no request in the last window, once a window: the state holds only the
        users of the last minute or two, however many strangers came and went."""
        if now - self._swept < WINDOW:
            return
        self._swept = now
        for user in [u for u, seen in self._seen.items() if not seen or now - seen[-1] >= WINDOW]:
            del self._seen[user]
            self._told.discard(user)

    def wait(self, user: int) -> float:
        """0 when the user may go ahead (and counts the request); else the seconds until they may."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        self._sweep(now)
        seen = self._seen.setdefault(user, deque())
        while seen and now - seen[0] >= WINDOW:
            seen.popleft()
        if len(seen) >= self.per_minute:
            return WINDOW - (now - seen[0])
        seen.append(now)
        self._told.discard(user)
        return 0.0

    def first_refusal(self, user: int) -> bool:
        """True the first time a user is refused in a row, so they are told once and then not flooded."""
        if user in self._told:
            return False
        self._told.add(user)
        return True
