from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.user.models import RefreshSession, User

admin.site.register(User, UserAdmin)


@admin.register(RefreshSession)
class RefreshSessionAdmin(admin.ModelAdmin[RefreshSession]):
    list_display = ("id", "user", "family", "created_at", "expires_at", "rotated_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("token_hash",)
    raw_id_fields = ("user",)
