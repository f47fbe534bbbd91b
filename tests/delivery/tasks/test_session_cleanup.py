"""`user.sessions.cleanup` through a real worker: finished sessions go, reuse detection stays."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.user.exceptions import InvalidRefreshTokenError
from core.user.models import RefreshSession
from core.user.services.refresh_tokens import RefreshTokenService, hash_refresh_token
from delivery.tasks.registry import TasksRegistry
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.tasks.data import make_user

# The worker keeps sessions finished within SESSION_CLEANUP_RETENTION_S (7 days by default).
LONG_AGO = timedelta(days=10)
RECENTLY = timedelta(days=1)


@pytest.fixture
def service(container: AutoRegisteringContainer) -> RefreshTokenService:
    return container.resolve(RefreshTokenService)


def _set(token: str, **fields: object) -> None:
    RefreshSession.objects.filter(token_hash=hash_refresh_token(token)).update(**fields)


def _exists(token: str) -> bool:
    return RefreshSession.objects.filter(token_hash=hash_refresh_token(token)).exists()


def test_finished_sessions_beyond_the_retention_are_deleted(
    registry: TasksRegistry, service: RefreshTokenService
) -> None:
    alice = make_user("alice")
    now = timezone.now()
    expired_old = [service.start_session(user_id=alice.pk) for _ in range(2)]
    revoked_old = [service.start_session(user_id=alice.pk) for _ in range(2)]
    expired_recent = service.start_session(user_id=alice.pk)
    revoked_recent = service.start_session(user_id=alice.pk)
    live = service.start_session(user_id=alice.pk)
    for token in expired_old:
        _set(token, expires_at=now - LONG_AGO)
    for token in revoked_old:
        _set(token, revoked_at=now - LONG_AGO)
    _set(expired_recent, expires_at=now - RECENTLY)
    _set(revoked_recent, revoked_at=now - RECENTLY)

    first = registry.user_sessions_cleanup.delay().get(timeout=30)
    second = registry.user_sessions_cleanup.delay().get(timeout=30)

    assert first == {"sessions_deleted": 4}  # two batches of 2 on the worker
    assert second == {"sessions_deleted": 0}
    assert not any(_exists(t) for t in expired_old + revoked_old)
    assert all(_exists(t) for t in (expired_recent, revoked_recent, live))
    assert service.rotate(live)[0] == alice.pk


def test_reuse_of_a_rotated_token_still_revokes_its_live_family_after_the_prune(
    registry: TasksRegistry, service: RefreshTokenService
) -> None:
    alice = make_user("alice")
    stolen = service.start_session(user_id=alice.pk)
    _, current = service.rotate(stolen)
    _set(stolen, expires_at=timezone.now() - LONG_AGO, rotated_at=timezone.now() - LONG_AGO)

    assert registry.user_sessions_cleanup.delay().get(timeout=30) == {"sessions_deleted": 0}

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(stolen)
    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(current)  # the reuse revoked the family
