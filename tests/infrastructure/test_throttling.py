"""The rate limiter on its own: limits per rule and subject, and failing open."""

import asyncio
import logging

import pytest
import redis
from pydantic import SecretStr

from configs.auth import RedisSettings, ThrottleSettings
from infrastructure.throttling import RateLimitExceededError, RequestThrottle
from tests.conftest import backend
from tests.harness.servers import RedisServer, free_port


def _throttle(redis_url: str | None = None, **quotas: object) -> RequestThrottle:
    redis = RedisSettings(url=SecretStr(redis_url) if redis_url else None)
    return RequestThrottle(
        _throttle_settings=ThrottleSettings.model_validate(quotas), _redis_settings=redis
    )


async def _hits(throttle: RequestThrottle, rule: str, subject: str, times: int) -> list[bool]:
    """True for each hit that was let through."""
    results = []
    for _ in range(times):
        try:
            await throttle.check(rule, subject)
            results.append(True)
        except RateLimitExceededError:
            results.append(False)
    return results


def test_memory_store_limits_each_subject_separately() -> None:
    throttle = _throttle(login="2/m")

    async def scenario() -> tuple[list[bool], list[bool]]:
        return await _hits(throttle, "login", "ip:a", 3), await _hits(throttle, "login", "ip:b", 2)

    first, second = asyncio.run(scenario())

    assert first == [True, True, False]
    assert second == [True, True]


def test_the_error_says_when_to_retry() -> None:
    throttle = _throttle(signup="1/m")

    async def scenario() -> RateLimitExceededError:
        await throttle.check("signup", "ip:a")
        with pytest.raises(RateLimitExceededError) as caught:
            await throttle.check("signup", "ip:a")
        return caught.value

    error = asyncio.run(scenario())

    assert 0 < error.retry_after_s <= 60


def test_rules_do_not_share_counters() -> None:
    throttle = _throttle(login="1/m", refresh="1/m")

    async def scenario() -> None:
        await throttle.check("login", "ip:a")
        await throttle.check("refresh", "ip:a")

    asyncio.run(scenario())


def test_disabled_throttle_never_limits() -> None:
    throttle = _throttle(login="1/m", enabled=False)

    assert asyncio.run(_hits(throttle, "login", "ip:a", 5)) == [True] * 5


@pytest.mark.skipif(backend() != "postgres", reason="Redis runs in postgres mode")
def test_redis_store_limits_across_throttle_instances(redis_server: RedisServer) -> None:
    """Two API processes share one Redis, so their counts add up."""
    url = redis_server.url_for(3)
    redis.Redis.from_url(url).flushdb()

    async def scenario() -> list[bool]:
        first, second = _throttle(url, login="2/m"), _throttle(url, login="2/m")
        return await _hits(first, "login", "ip:a", 1) + await _hits(second, "login", "ip:a", 2)

    assert asyncio.run(scenario()) == [True, True, False]


def test_unreachable_redis_fails_open_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    throttle = _throttle(f"redis://127.0.0.1:{free_port()}/0", login="1/m")

    with caplog.at_level(logging.WARNING, logger="infrastructure.throttling"):
        allowed = asyncio.run(_hits(throttle, "login", "ip:a", 3))

    assert allowed == [True, True, True]
    assert "rate limit store unreachable" in caplog.text
