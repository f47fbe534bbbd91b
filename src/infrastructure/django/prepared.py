"""ORM statements compiled once per thread and shape, then run with new values.

Building a QuerySet and compiling it costs more than running it when a request reads or writes one
row or one page. A prepared statement asks the ORM for its SQL once per database thread and shape
(for example "filtered by `completed`, with a cursor"), with `Param` standing in for each value a
call brings, and afterwards runs that SQL with the call's values in their places. The ORM still
writes the SQL, adapts each value to its field and converts each column it returns, so prepared
statements read like QuerySets and behave the same on every backend.

Reads, updates and deletes come from QuerySets; an insert takes the values a QuerySet selects
(`INSERT ... SELECT`), so a write can be conditional on another table in the same statement.
"""

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, transaction
from django.db.models import Expression, Field, IntegerField, Model, QuerySet
from django.db.models.sql import DeleteQuery, UpdateQuery
from django.db.models.sql.compiler import SQLCompiler

from infrastructure.django.timestamps import load_timestamps_natively

Row = tuple[Any, ...]


class Param(Expression):
    """A value given when the statement runs, adapted to `output_field` like any literal."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        return "%s", (_Slot(self.name, self.output_field),)


@dataclass(frozen=True)
class _Slot:
    """Where a `Param` landed among the compiled statement's parameters."""

    name: str
    field: Field[Any, Any]


_LIMIT = _Slot("limit", IntegerField())
_OFFSET = _Slot("offset", IntegerField())


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple[Any, ...]
    converters: dict[int, Any]
    compiler: SQLCompiler  # applies the converters with its own connection

    def execute(self, values: Mapping[str, Any], *, fetch: bool) -> tuple[list[Row], int]:
        connection = connections[self.alias]
        params = [
            p.field.get_db_prep_value(values[p.name], connection, prepared=False)
            if isinstance(p, _Slot)
            else p
            for p in self.params
        ]
        with transaction.mark_for_rollback_on_error(self.alias), connection.cursor() as cursor:
            load_timestamps_natively(connection, cursor)
            cursor.execute(self.sql, params)
            rows: list[Row] = cursor.fetchall() if fetch else []
            count = cursor.rowcount
        if self.converters and rows:  # SQLite hands datetimes back as text
            rows = [tuple(row) for row in self.compiler.apply_converters(rows, self.converters)]
        return rows, count


class _Prepared:
    """Compiles lazily, once per thread (a compiler belongs to one connection) and shape."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _compiled(self, shape: Hashable) -> _Compiled:
        cache: dict[Hashable, _Compiled] = self._local.__dict__.setdefault("cache", {})
        compiled = cache.get(shape)
        if compiled is None:
            # Django refuses to compile `select_for_update()` outside a transaction, though the
            # statement later runs as one; opening one costs nothing until a query is sent.
            with transaction.atomic():
                compiled = cache[shape] = self._compile(shape)
        return compiled

    def _compile(self, shape: Hashable) -> _Compiled:
        raise NotImplementedError


def _shape_args(shape: Hashable) -> tuple[Any, ...]:
    return shape if isinstance(shape, tuple) else (shape,)


def _select_converters(compiler: SQLCompiler) -> dict[int, Any]:
    return compiler.get_converters([expression for expression, _, _ in compiler.select])


class PreparedSelect(_Prepared):
    """`build(*shape)` returns the QuerySet (its `values_list`); `paged` adds LIMIT and OFFSET."""

    def __init__(self, build: Callable[..., "QuerySet[Any]"], *, paged: bool = False) -> None:
        super().__init__()
        self._build = build
        self._paged = paged

    def rows(self, shape: Hashable = (), /, **values: Any) -> list[Row]:
        return self._compiled(shape).execute(values, fetch=True)[0]

    def _compile(self, shape: Hashable) -> _Compiled:
        queryset = self._build(*_shape_args(shape))
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        if self._paged:
            sql, params = f"{sql} LIMIT %s OFFSET %s", (*params, _LIMIT, _OFFSET)
        return _Compiled(queryset.db, sql, tuple(params), _select_converters(compiler), compiler)


class _Returning(_Prepared):
    """A write that hands back `returning` fields of the rows it wrote, converted by the ORM."""

    def __init__(self, returning: Sequence[str]) -> None:
        super().__init__()
        self._returning = tuple(returning)

    def returned(self, shape: Hashable = (), /, **values: Any) -> list[Row]:
        return self._compiled(shape).execute(values, fetch=True)[0]

    def _finish(self, model: type[Model], db: str, sql: str, params: Sequence[Any]) -> _Compiled:
        reader = model._default_manager.using(db).values_list(*self._returning)
        compiler = reader.query.get_compiler(using=db)
        compiler.setup_query()
        quote = compiler.connection.ops.quote_name
        columns = ", ".join(quote(_column(model, name)) for name in self._returning)
        sql = f"{sql} RETURNING {columns}"
        return _Compiled(db, sql, tuple(params), _select_converters(compiler), compiler)


class PreparedUpdate(_Returning):
    """`build(*shape)` returns `(queryset, {field: value or expression})`, as for `update()`."""

    def __init__(
        self,
        build: Callable[..., tuple["QuerySet[Any]", Mapping[str, Any]]],
        *,
        returning: Sequence[str],
    ) -> None:
        super().__init__(returning)
        self._build = build

    def _compile(self, shape: Hashable) -> _Compiled:
        queryset, changes = self._build(*_shape_args(shape))
        query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
        query.add_update_values(dict(changes))
        sql, params = query.get_compiler(using=queryset.db).as_sql()
        return self._finish(queryset.model, queryset.db, sql, params)


class PreparedDelete(_Prepared):
    """`build(*shape)` returns the QuerySet whose rows one `DELETE` removes; `run` counts them."""

    def __init__(self, build: Callable[..., "QuerySet[Any]"]) -> None:
        super().__init__()
        self._build = build

    def run(self, shape: Hashable = (), /, **values: Any) -> int:
        return self._compiled(shape).execute(values, fetch=False)[1]

    def _compile(self, shape: Hashable) -> _Compiled:
        queryset = self._build(*_shape_args(shape))
        compiler = queryset.query.chain(DeleteQuery).get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return _Compiled(queryset.db, sql, tuple(params), {}, compiler)


class PreparedInsert(_Returning):
    """Inserts into `model` the rows `build(*shape)` selects: a QuerySet of `values(**columns)`.

    Each keyword of that `values()` call names a field of `model`; nothing is inserted when the
    QuerySet selects no row, which makes the insert conditional on what it reads.
    """

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., "QuerySet[Any]"],
        *,
        returning: Sequence[str],
    ) -> None:
        super().__init__(returning)
        self._model = model
        self._build = build

    def _compile(self, shape: Hashable) -> _Compiled:
        source = self._build(*_shape_args(shape))
        compiler = source.query.get_compiler(using=source.db)
        select_sql, params = compiler.as_sql()
        quote = compiler.connection.ops.quote_name
        targets = ", ".join(quote(_column(self._model, name)) for name in _names(source))
        sql = f"INSERT INTO {quote(self._model._meta.db_table)} ({targets}) {select_sql}"
        return self._finish(self._model, source.db, sql, params)


def _names(source: "QuerySet[Any]") -> Iterable[str]:
    """The selected names in column order: the fields of a `values(**columns)` QuerySet."""
    return [*source.query.values_select, *source.query.annotation_select]


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{model.__name__}.{name} is not a column"
    return str(field.column)
