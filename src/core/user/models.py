from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    email = models.EmailField("email address", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                condition=~models.Q(email=""),
            ),
        ]


UserRef = User | int
"""A user, or only its id: what the HTTP layer has after checking a token."""


def user_id_of(user: UserRef) -> int:
    return user if isinstance(user, int) else int(user.pk)


class RefreshSession(models.Model):
    """One refresh token in a login's rotation chain; only its SHA-256 is stored.

    Every token issued by rotating another shares the original's `family`, so reusing a rotated
    token can revoke the whole login.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_sessions")
    family = models.UUIDField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh session {self.pk} of user {self.user_id}"
