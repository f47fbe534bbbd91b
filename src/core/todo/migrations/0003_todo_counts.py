"""Per-user todo counts kept by the database, and an index for pages filtered by `completed`.

Triggers on the todo table keep `TodoCount` exact through every write path at once: the API, the
services, set-based deletes, the admin, a user's deletion cascading to their todos, plain SQL.
Triggers on the user table give each user a row from the start and remove it with the user.

PostgreSQL runs one trigger per statement over its transition tables, so a `DELETE` of 50,000
todos updates each affected count once, not 50,000 times. SQLite only has row triggers.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

_POSTGRESQL = """
CREATE FUNCTION {todos}_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counts} AS c
    SET total = c.total + d.n, completed_total = c.completed_total + d.done
    FROM (SELECT user_id, count(*) AS n, count(*) FILTER (WHERE completed) AS done
          FROM new_rows GROUP BY user_id) AS d
    WHERE c.user_id = d.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION {todos}_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counts} AS c
    SET total = c.total - d.n, completed_total = c.completed_total - d.done
    FROM (SELECT user_id, count(*) AS n, count(*) FILTER (WHERE completed) AS done
          FROM old_rows GROUP BY user_id) AS d
    WHERE c.user_id = d.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION {todos}_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counts} AS c
    SET total = c.total + d.n, completed_total = c.completed_total + d.done
    FROM (SELECT user_id, sum(n) AS n, sum(done) AS done FROM (
              SELECT user_id, -1 AS n, -completed::int AS done FROM old_rows
              UNION ALL
              SELECT user_id, 1, completed::int FROM new_rows) AS changes
          GROUP BY user_id) AS d
    WHERE c.user_id = d.user_id AND (d.n <> 0 OR d.done <> 0);
    RETURN NULL;
END $$;

CREATE FUNCTION {todos}_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counts} SET total = 0, completed_total = 0;
    RETURN NULL;
END $$;

CREATE FUNCTION {users}_todo_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {counts} (user_id, total, completed_total)
    SELECT id, 0, 0 FROM new_rows ON CONFLICT (user_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION {users}_todo_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {counts} AS c USING old_rows AS o WHERE c.user_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER {todos}_count_inserted AFTER INSERT ON {todos}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {todos}_count_inserted();
CREATE TRIGGER {todos}_count_deleted AFTER DELETE ON {todos}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {todos}_count_deleted();
CREATE TRIGGER {todos}_count_updated AFTER UPDATE ON {todos}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {todos}_count_updated();
CREATE TRIGGER {todos}_count_truncated AFTER TRUNCATE ON {todos}
    FOR EACH STATEMENT EXECUTE FUNCTION {todos}_count_truncated();
CREATE TRIGGER {users}_todo_count_added AFTER INSERT ON {users}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {users}_todo_count_added();
CREATE TRIGGER {users}_todo_count_removed AFTER DELETE ON {users}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {users}_todo_count_removed();
"""

_POSTGRESQL_REVERSE = """
DROP TRIGGER {todos}_count_inserted ON {todos};
DROP TRIGGER {todos}_count_deleted ON {todos};
DROP TRIGGER {todos}_count_updated ON {todos};
DROP TRIGGER {todos}_count_truncated ON {todos};
DROP TRIGGER {users}_todo_count_added ON {users};
DROP TRIGGER {users}_todo_count_removed ON {users};
DROP FUNCTION {todos}_count_inserted(), {todos}_count_deleted(), {todos}_count_updated(),
    {todos}_count_truncated(), {users}_todo_count_added(), {users}_todo_count_removed();
"""

_SQLITE = [
    """CREATE TRIGGER {todos}_count_inserted AFTER INSERT ON {todos} BEGIN
        UPDATE {counts} SET total = total + 1, completed_total = completed_total + NEW.completed
        WHERE user_id = NEW.user_id;
    END""",
    """CREATE TRIGGER {todos}_count_deleted AFTER DELETE ON {todos} BEGIN
        UPDATE {counts} SET total = total - 1, completed_total = completed_total - OLD.completed
        WHERE user_id = OLD.user_id;
    END""",
    """CREATE TRIGGER {todos}_count_updated AFTER UPDATE OF completed, user_id ON {todos}
    WHEN OLD.completed IS NOT NEW.completed OR OLD.user_id IS NOT NEW.user_id BEGIN
        UPDATE {counts} SET total = total - 1, completed_total = completed_total - OLD.completed
        WHERE user_id = OLD.user_id;
        UPDATE {counts} SET total = total + 1, completed_total = completed_total + NEW.completed
        WHERE user_id = NEW.user_id;
    END""",
    """CREATE TRIGGER {users}_todo_count_added AFTER INSERT ON {users} BEGIN
        INSERT OR IGNORE INTO {counts} (user_id, total, completed_total) VALUES (NEW.id, 0, 0);
    END""",
    """CREATE TRIGGER {users}_todo_count_removed AFTER DELETE ON {users} BEGIN
        DELETE FROM {counts} WHERE user_id = OLD.id;
    END""",
]

_SQLITE_TRIGGERS = [
    "{todos}_count_inserted",
    "{todos}_count_deleted",
    "{todos}_count_updated",
    "{users}_todo_count_added",
    "{users}_todo_count_removed",
]

# Counts for the users and todos already there, taken while writes wait (PostgreSQL) or under
# the migration's write lock (SQLite), so none is missed between the count and the triggers.
_BACKFILL = """
INSERT INTO {counts} (user_id, total, completed_total)
SELECT u.id, count(t.id), coalesce(sum(CASE WHEN t.completed THEN 1 ELSE 0 END), 0)
FROM {users} AS u LEFT JOIN {todos} AS t ON t.user_id = u.id
GROUP BY u.id
"""


def _tables(apps: Any) -> dict[str, str]:
    return {
        "todos": apps.get_model("todo", "Todo")._meta.db_table,
        "counts": apps.get_model("todo", "TodoCount")._meta.db_table,
        "users": apps.get_model(*settings.AUTH_USER_MODEL.split("."))._meta.db_table,
    }


def _install(apps: Any, schema_editor: Any) -> None:
    tables = _tables(apps)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "LOCK TABLE {todos}, {users} IN SHARE ROW EXCLUSIVE MODE".format(**tables)
        )
        schema_editor.execute(_POSTGRESQL.format(**tables))
    else:
        for statement in _SQLITE:
            schema_editor.execute(statement.format(**tables))
    schema_editor.execute(_BACKFILL.format(**tables))


def _uninstall(apps: Any, schema_editor: Any) -> None:
    tables = _tables(apps)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL_REVERSE.format(**tables))
    else:
        for trigger in _SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER {trigger.format(**tables)}")


class Migration(migrations.Migration):
    dependencies = [
        ("todo", "0002_todo_user"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TodoCount",
            fields=[
                ("user_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("total", models.BigIntegerField(default=0)),
                ("completed_total", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="todo",
            index=models.Index(
                fields=["user", "completed", "-id"], name="todo_user_completed_id_desc"
            ),
        ),
        migrations.RunPython(_install, _uninstall),
    ]
