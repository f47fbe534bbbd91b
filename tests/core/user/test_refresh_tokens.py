from datetime import timedelta

import pytest
from django.utils import timezone

from core.user.exceptions import InvalidRefreshTokenError
from core.user.models import RefreshSession, User
from core.user.services.refresh_tokens import RefreshTokenService, hash_refresh_token

pytestmark = pytest.mark.django_db


def test_start_session_stores_only_the_hash(service: RefreshTokenService, user: User) -> None:
    token = service.start_session(user_id=user.pk)

    session = RefreshSession.objects.get()
    assert session.token_hash == hash_refresh_token(token)
    assert token not in session.token_hash
    assert len(token) >= 43  # 32 random bytes, base64url
    assert session.expires_at > timezone.now() + timedelta(days=13)


def test_rotate_retires_the_token_and_keeps_the_family(
    service: RefreshTokenService, user: User
) -> None:
    first = service.start_session(user_id=user.pk)

    user_id, second = service.rotate(first)

    assert user_id == user.pk
    old, new = RefreshSession.objects.order_by("id")
    assert old.rotated_at is not None
    assert new.token_hash == hash_refresh_token(second)
    assert new.family == old.family


def test_reuse_revokes_every_token_of_the_family_only(
    service: RefreshTokenService, user: User
) -> None:
    first = service.start_session(user_id=user.pk)
    unrelated = service.start_session(user_id=user.pk)
    _, second = service.rotate(first)

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(first)

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(second)
    family = RefreshSession.objects.get(token_hash=hash_refresh_token(first)).family
    assert not RefreshSession.objects.filter(family=family, revoked_at__isnull=True).exists()
    assert service.rotate(unrelated)[0] == user.pk


def test_expired_tokens_are_refused(service: RefreshTokenService, user: User) -> None:
    token = service.start_session(user_id=user.pk)
    RefreshSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(token)


def test_inactive_users_cannot_rotate(service: RefreshTokenService, user: User) -> None:
    token = service.start_session(user_id=user.pk)
    User.objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(token)


def test_revoke_ends_the_family_and_ignores_unknown_tokens(
    service: RefreshTokenService, user: User
) -> None:
    first = service.start_session(user_id=user.pk)
    _, second = service.rotate(first)

    service.revoke("unknown")
    service.revoke(first)

    with pytest.raises(InvalidRefreshTokenError):
        service.rotate(second)
