"""`delete_finished_sessions`: prunes finished refresh sessions, never weakening reuse detection."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.user.exceptions import InvalidRefreshTokenError
from core.user.models import RefreshSession, User
from core.user.services.refresh_tokens import RefreshTokenService, hash_refresh_token

pytestmark = pytest.mark.django_db

RETENTION = timedelta(days=7)
LONG_AGO = timedelta(days=10)  # beyond the retention
RECENTLY = timedelta(days=1)  # within it


def _cutoff() -> datetime:
    return timezone.now() - RETENTION


def _set(token: str, **fields: datetime) -> None:
    RefreshSession.objects.filter(token_hash=hash_refresh_token(token)).update(**fields)


def _exists(token: str) -> bool:
    return RefreshSession.objects.filter(token_hash=hash_refresh_token(token)).exists()


def test_sessions_finished_before_the_cutoff_go_and_the_rest_stay(
    service: RefreshTokenService, user: User
) -> None:
    now = timezone.now()
    expired_long_ago = service.start_session(user_id=user.pk)
    _set(expired_long_ago, expires_at=now - LONG_AGO)
    revoked_long_ago = service.start_session(user_id=user.pk)
    _set(revoked_long_ago, revoked_at=now - LONG_AGO)
    expired_recently = service.start_session(user_id=user.pk)
    _set(expired_recently, expires_at=now - RECENTLY)
    revoked_recently = service.start_session(user_id=user.pk)
    _set(revoked_recently, revoked_at=now - RECENTLY)
    live = service.start_session(user_id=user.pk)

    deleted = service.delete_finished_sessions(finished_before=_cutoff())

    assert deleted == 2
    assert not _exists(expired_long_ago)
    assert not _exists(revoked_long_ago)
    assert all(_exists(t) for t in (expired_recently, revoked_recently, live))
    assert service.rotate(live)[0] == user.pk


def test_a_rotated_token_of_a_live_family_still_revokes_it_after_the_prune(
    service: RefreshTokenService, user: User
) -> None:
    stolen = service.start_session(user_id=user.pk)
    _, current = service.rotate(stolen)
    # The rotated token is long expired, but its successor is still valid.
    _set(stolen, expires_at=timezone.now() - LONG_AGO, rotated_at=timezone.now() - LONG_AGO)

    assert service.delete_finished_sessions(finished_before=_cutoff()) == 0

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(stolen)  # reuse: revokes the family
    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(current)
    assert not RefreshSession.objects.filter(revoked_at__isnull=True).exists()


def test_a_family_goes_whole_once_its_newest_token_expired_before_the_cutoff(
    service: RefreshTokenService, user: User
) -> None:
    first = service.start_session(user_id=user.pk)
    _, second = service.rotate(first)
    _, third = service.rotate(second)
    RefreshSession.objects.update(expires_at=timezone.now() - LONG_AGO)

    assert service.delete_finished_sessions(finished_before=_cutoff()) == 3
    assert not RefreshSession.objects.exists()
    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(third)


def test_deletes_in_batches_and_a_second_run_deletes_nothing(
    service: RefreshTokenService, user: User
) -> None:
    tokens = [service.start_session(user_id=user.pk) for _ in range(5)]
    RefreshSession.objects.update(revoked_at=timezone.now() - LONG_AGO)
    live = service.start_session(user_id=user.pk)

    assert service.delete_finished_sessions(finished_before=_cutoff(), batch_size=2) == len(tokens)
    assert service.delete_finished_sessions(finished_before=_cutoff(), batch_size=2) == 0
    assert list(RefreshSession.objects.values_list("token_hash", flat=True)) == [
        hash_refresh_token(live)
    ]


def test_a_cutoff_in_the_future_is_refused(service: RefreshTokenService, user: User) -> None:
    service.start_session(user_id=user.pk)

    with pytest.raises(ValueError, match="future"):
        service.delete_finished_sessions(finished_before=timezone.now() + timedelta(days=30))
    assert RefreshSession.objects.count() == 1
