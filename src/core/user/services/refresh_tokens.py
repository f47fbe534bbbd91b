"""Opaque refresh tokens with rotation and reuse detection.

Only a token's SHA-256 is stored. Each refresh retires the presented token and issues a successor in
the same family. Presenting a retired token again means it was copied, so the whole family (the
login) is revoked, and the thief's and the owner's successors both stop working.

Finished sessions are pruned by `delete_finished_sessions`, without weakening that detection.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
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

    def delete_finished_sessions(self, *, finished_before: datetime, batch_size: int = 5000) -> int:
        """Delete sessions that finished before `finished_before`; return how many went.

        A row goes when it was revoked before the cutoff, or when every token of its family expired
        before it. Rotated and expired rows of a family with a token still valid at the cutoff
        stay: `_rotate_locked` checks rotation before expiry, so presenting a rotated token, even
        an expired one, revokes its family. Deleting that row would turn the reuse into an unknown
        token and leave the family's live successor usable. Once the whole family has expired
        there is nothing left to revoke, and no token can join it (only a live token rotates), so
        its rows are safe to delete. A revoked row revokes nothing when presented, so deleting it
        changes nothing either. The cutoff must not be in the future, else live logins would go.

        Works in batches of primary keys, each one short `DELETE` in its own transaction, so a
        large backlog never holds one long transaction and an interrupted run keeps its progress.
        """
        if finished_before > timezone.now():
            raise ValueError("finished_before must not be in the future")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        finished = _finished_sessions(finished_before)
        deleted, last_pk = 0, 0
        while True:
            batch = finished.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)
            pks = list(batch[:batch_size])
            if not pks:
                return deleted
            with transaction.atomic():
                # The rule is applied again: only rows still finished are deleted.
                count, _ = finished.filter(pk__in=pks).delete()
            deleted += count
            last_pk = pks[-1]

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


def _finished_sessions(finished_before: datetime) -> "QuerySet[RefreshSession]":
    """Revoked before the cutoff, or in a family none of whose tokens is valid at the cutoff."""
    still_valid_in_family = RefreshSession.objects.filter(
        family=OuterRef("family"), expires_at__gte=finished_before
    )
    return RefreshSession.objects.alias(family_still_valid=Exists(still_valid_in_family)).filter(
        Q(revoked_at__lt=finished_before)
        | Q(expires_at__lt=finished_before, family_still_valid=False)
    )
