"""`Todo.owner` becomes `Todo.user`: the column `owner_id` is renamed `user_id`.

On PostgreSQL the column rename carries the indexes along, so they are only renamed, never rebuilt
(on a large table a rebuild would hold the migration for minutes). SQLite remakes the table for
the rename, dropping its indexes, so there they are created afresh.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

_INDEXES = {
    "todo_owner_id_desc": models.Index(fields=["user", "-id"], name="todo_user_id_desc"),
    "todo_completed_owner": models.Index(
        condition=models.Q(("completed", True)),
        fields=["user", "completed_at"],
        name="todo_completed_user",
    ),
}


def _rename_or_create_indexes(apps: Any, schema_editor: Any) -> None:
    todo = apps.get_model("todo", "Todo")
    for old_name, index in _INDEXES.items():
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(f"ALTER INDEX {quote(old_name)} RENAME TO {quote(index.name)}")
        else:
            schema_editor.add_index(todo, index)


class Migration(migrations.Migration):
    dependencies = [
        ("todo", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="todo", name=old_name) for old_name in _INDEXES
            ],
        ),
        migrations.RenameField(model_name="todo", old_name="owner", new_name="user"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="todo", index=index) for index in _INDEXES.values()
            ],
            database_operations=[migrations.RunPython(_rename_or_create_indexes)],
        ),
    ]
