"""The overlap guard's lock, in whichever store this mode uses (lock files, or Redis)."""

import time

import pytest

from infrastructure.locks import ExpiringLock
from ioc.container import ContainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lock() -> ExpiringLock:
    return ContainerFactory()().resolve(ExpiringLock)


def test_only_one_holder_at_a_time(lock: ExpiringLock) -> None:
    token = lock.acquire("test-one-holder", ttl_s=30)

    assert token is not None
    assert lock.acquire("test-one-holder", ttl_s=30) is None
    assert lock.release("test-one-holder", token)
    assert lock.acquire("test-one-holder", ttl_s=30) is not None


def test_a_stranger_token_neither_renews_nor_releases(lock: ExpiringLock) -> None:
    token = lock.acquire("test-stranger", ttl_s=30)
    assert token is not None

    assert not lock.renew("test-stranger", "not-the-token", ttl_s=30)
    assert not lock.release("test-stranger", "not-the-token")
    assert lock.acquire("test-stranger", ttl_s=30) is None


def test_an_expired_lock_can_be_taken_and_its_old_token_is_void(lock: ExpiringLock) -> None:
    old = lock.acquire("test-expiry", ttl_s=0.2)
    assert old is not None
    time.sleep(0.3)

    new = lock.acquire("test-expiry", ttl_s=30)

    assert new is not None
    assert not lock.renew("test-expiry", old, ttl_s=30)
    assert not lock.release("test-expiry", old)
    assert lock.release("test-expiry", new)


def test_renewal_pushes_the_expiry_ahead(lock: ExpiringLock) -> None:
    token = lock.acquire("test-renew", ttl_s=1.0)
    assert token is not None
    time.sleep(0.5)
    assert lock.renew("test-renew", token, ttl_s=3.0)
    time.sleep(0.7)

    assert lock.acquire("test-renew", ttl_s=30) is None  # past the first expiry, still held
