from django.contrib import admin

from core.todo.models import Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin[Todo]):
    list_display = ("id", "title", "user", "completed", "completed_at", "created_at")
    list_filter = ("completed",)
    search_fields = ("title", "user__username")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    readonly_fields = ("completed_at", "created_at", "updated_at")
