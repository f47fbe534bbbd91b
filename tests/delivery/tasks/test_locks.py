"""The overlap guard's lock, in whichever store this mode uses (lock files, or Redis).

A lock belongs to an owner (a run's id): the same owner takes it back, any other is refused.
"""

import time

import pytest

from infrastructure.locks import ExpiringLock
from ioc.container import ContainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lock() -> ExpiringLock:
    return ContainerFactory()().resolve(ExpiringLock)


def test_only_one_owner_at_a_time(lock: ExpiringLock) -> None:
    assert lock.acquire("test-one-owner", owner="run-1", ttl_s=30)

    assert not lock.acquire("test-one-owner", owner="run-2", ttl_s=30)
    assert lock.holder("test-one-owner") == "run-1"
    assert lock.release("test-one-owner", "run-1")
    assert lock.holder("test-one-owner") is None
    assert lock.acquire("test-one-owner", owner="run-2", ttl_s=30)


def test_the_same_owner_takes_its_lock_back(lock: ExpiringLock) -> None:
    """A run delivered again after its worker died finds its own lock, and carries on."""
    assert lock.acquire("test-same-owner", owner="run-1", ttl_s=30)

    assert lock.acquire("test-same-owner", owner="run-1", ttl_s=30)
    assert not lock.acquire("test-same-owner", owner="run-2", ttl_s=30)
    assert lock.release("test-same-owner", "run-1")


def test_a_stranger_neither_renews_nor_releases(lock: ExpiringLock) -> None:
    assert lock.acquire("test-stranger", owner="run-1", ttl_s=30)

    assert not lock.renew("test-stranger", "run-2", ttl_s=30)
    assert not lock.release("test-stranger", "run-2")
    assert lock.holder("test-stranger") == "run-1"


def test_an_expired_lock_can_be_taken_and_its_old_owner_is_void(lock: ExpiringLock) -> None:
    assert lock.acquire("test-expiry", owner="old", ttl_s=0.2)
    time.sleep(0.3)
    assert lock.holder("test-expiry") is None

    assert lock.acquire("test-expiry", owner="new", ttl_s=30)

    assert not lock.renew("test-expiry", "old", ttl_s=30)
    assert not lock.release("test-expiry", "old")
    assert lock.release("test-expiry", "new")


def test_renewal_pushes_the_expiry_ahead(lock: ExpiringLock) -> None:
    assert lock.acquire("test-renew", owner="run-1", ttl_s=1.0)
    time.sleep(0.5)
    assert lock.renew("test-renew", "run-1", ttl_s=3.0)
    time.sleep(0.7)

    assert not lock.acquire("test-renew", owner="run-2", ttl_s=30)  # past the first expiry
