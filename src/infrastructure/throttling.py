"""Request rate limits with throttled-py, kept in Redis when `REDIS_URL` is set, else in memory.

A limit store that cannot be reached must not take the API down with it: the check then lets the
request through and logs a warning (fail open).
"""

import logging
from dataclasses import dataclass, field

from redis.exceptions import RedisError
from throttled.asyncio import MemoryStore, RedisStore, Throttled
from throttled.asyncio.store import BaseStore
from throttled.exceptions import StoreUnavailableError

from configs.auth import RedisSettings, ThrottleSettings

logger = logging.getLogger(__name__)

# The named limits of ThrottleSettings; each holds a quota such as "10/m".
RULES = ("login", "signup", "refresh", "tasks", "todo_writes")
_STORE_TIMEOUT_S = 0.5


class RateLimitExceededError(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"rate limit exceeded; retry after {retry_after_s:.1f} s")
        self.retry_after_s = retry_after_s


@dataclass(kw_only=True)
class RequestThrottle:
    _throttle_settings: ThrottleSettings
    _redis_settings: RedisSettings
    _limiters: dict[str, Throttled] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        store = self._store()
        self._limiters = {
            rule: Throttled(quota=getattr(self._throttle_settings, rule), store=store)
            for rule in RULES
        }

    async def check(self, rule: str, *subjects: str) -> None:
        """Count one hit of `rule` for each subject (a client address, a username).

        Raises `RateLimitExceededError` when any subject is over its limit.
        """
        if not self._throttle_settings.enabled:
            return
        limiter = self._limiters[rule]
        retry_after: float | None = None
        for subject in subjects:
            try:
                result = await limiter.limit(f"{rule}:{subject}")
            except (StoreUnavailableError, RedisError, OSError) as exc:
                logger.warning(
                    "rate limit store unreachable, allowing request (%s)", type(exc).__name__
                )
                return
            if result.limited:
                retry_after = max(retry_after or 0.0, result.state.retry_after)
        if retry_after is not None:
            raise RateLimitExceededError(retry_after)

    def _store(self) -> BaseStore:
        url = self._redis_settings.url.get_secret_value() if self._redis_settings.url else ""
        if not url:
            return MemoryStore()
        options = {"SOCKET_TIMEOUT": _STORE_TIMEOUT_S, "SOCKET_CONNECT_TIMEOUT": _STORE_TIMEOUT_S}
        return RedisStore(server=url, options=options)
