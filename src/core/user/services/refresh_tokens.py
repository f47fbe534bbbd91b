"""Opaque refresh tokens with rotation and reuse detection.

Only a token's SHA-256 is stored. Each refresh retires the presented token and issues a successor in
the same family. Presenting a retired token again means it was copied, so the whole family (the
login) is revoked, and the thief's and the owner's successors both stop working.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from configs.auth import JWTSettings
from core.user.exceptions import InvalidRefreshTokenError
from core.user.models import RefreshSession


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(kw_only=True)
class RefreshTokenService:
    _jwt_settings: JWTSettings

    def start_session(self, *, user_id: int) -> str:
        """A new login: a token in a new family."""
        return self._issue(user_id=user_id, family=uuid.uuid4())

    def rotate(self, token: str) -> tuple[int, str]:
        """Retire `token` and return its user's id and the successor token."""
        with transaction.atomic():
            outcome = self._rotate_locked(token)
        # Raised outside the transaction so that a reuse's revocation is committed.
        if isinstance(outcome, InvalidRefreshTokenError):
            raise outcome
        return outcome

    def revoke(self, token: str) -> None:
        """End the login `token` belongs to; unknown tokens are ignored so nothing can be probed."""
        family = (
            RefreshSession.objects.filter(token_hash=hash_refresh_token(token))
            .values_list("family", flat=True)
            .first()
        )
        if family is not None:
            _revoke_family(family)

    def _rotate_locked(self, token: str) -> tuple[int, str] | InvalidRefreshTokenError:
        session = (
            RefreshSession.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=hash_refresh_token(token))
            .first()
        )
        if session is None or session.revoked_at is not None:
            return InvalidRefreshTokenError()
        if session.rotated_at is not None or not session.user.is_active:
            _revoke_family(session.family)
            return InvalidRefreshTokenError()
        now = timezone.now()
        if session.expires_at <= now:
            return InvalidRefreshTokenError()
        session.rotated_at = now
        session.save(update_fields=["rotated_at"])
        return session.user_id, self._issue(user_id=session.user_id, family=session.family)

    def _issue(self, *, user_id: int, family: uuid.UUID) -> str:
        token = secrets.token_urlsafe(32)
        RefreshSession.objects.create(
            user_id=user_id,
            family=family,
            token_hash=hash_refresh_token(token),
            expires_at=timezone.now() + timedelta(seconds=self._jwt_settings.refresh_token_ttl_s),
        )
        return token


def _revoke_family(family: uuid.UUID) -> None:
    RefreshSession.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
