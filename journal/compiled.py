"""The SQL of the app's most frequent queries, built once per database connection.

Django builds a query's SQL anew each time it runs one: it resolves the lookups and joins,
chooses the columns and prepares the converters. For a status click's locked read of the
promise with its relationship that took ten times as long as running the query (0.6 ms
against 0.06 on SQLite; Undo's, with its two subqueries, 1.0 ms), and an UPDATE of a few
columns took three times as long as running it. The click is the app's most frequent
write, so its statements are built here once and run with each click's values:

- `CompiledQuery` compiles a queryset with marker values where the caller's go, then turns
  rows into model instances as Django's own ModelIterable does (select_related and
  annotations included);
- `update_row` writes some columns of one row, by primary key, with the SQL Django would
  write for `filter(pk=...).update(...)` of plain values;
- `insert` saves a new instance of a model that no signal listens to, with the INSERT
  `save()` would run, without the rest of save()'s machinery (0.05 ms against 0.17);
- `written_together` sends the update_row and insert calls made inside it as one
  statement on PostgreSQL (data-modifying CTEs): each statement is a wait on the server,
  about 0.3 ms here. SQLite runs them one by one as they come (it has no such statements,
  and no server to wait on). With `only_if`, the statement writes only if a locked read
  still finds a row: a write checked against what was read without a lock, in one
  statement and without a transaction around it (NotWritten when it wrote nothing).

All three run through the connection's cursor, so query logging, execute wrappers and
`django_assert_num_queries` see them like any other query.
"""

import re
import weakref
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connections, router, transaction
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

# Marker values, one per parameter, that no real id takes (bigint range, far above any
# sequence): found among the compiled query's parameters and replaced by the real ones.
_MARKER_BASE = 9_000_000_000_000_000_000
_BIGINT = 2**63
# written_together's only_if: the read's name in the statement, and what each write checks.
_ONLY_IF = "only_if"
_GUARDED = f"EXISTS (SELECT 1 FROM {_ONLY_IF})"
_TYPE_MODIFIERS = re.compile(r"\(\d+(?:,\s*\d+)?\)")  # varchar(6), numeric(5, 2)


class CompiledQuery:
    """`build(**markers)` returns the queryset; `first(**values)` runs it with `values` and
    returns the first instance, or None. The parameters must be ids (integers)."""

    def __init__(self, build, *parameters):
        self.build = build
        self.markers = {name: _MARKER_BASE + i for i, name in enumerate(parameters)}
        queryset = build(**self.markers)
        self.model = queryset.model
        # The database the queryset would choose: a locked read is made for a write.
        self.route = router.db_for_write if queryset._for_write else router.db_for_read
        self._compiled = weakref.WeakKeyDictionary()  # a connection (per thread): _Compiled

    def first(self, **values):
        connection, compiled = self._compiled_for_connection()
        return compiled.first(connection, values)

    def statement(self, **values):
        """The query's SQL and parameters for `values`, to run as part of another
        statement (written_together's only_if), or None where no row can match."""
        _connection, compiled = self._compiled_for_connection()
        params = compiled.params_for(values)
        return None if params is None else (compiled.sql, params)

    def _compiled_for_connection(self):
        alias = self.route(self.model)
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            queryset = self.build(**self.markers)
            # (Django builds a locked read's SQL only in a transaction, even where it will run
            # as part of a statement, which is one: no query, no savepoint.)
            with transaction.atomic(using=alias, savepoint=False):
                compiled = _Compiled(queryset, alias, self.markers)
            self._compiled[connection] = compiled
        return connection, compiled


class _Compiled:
    def __init__(self, queryset, alias, markers):
        compiler = queryset.query.get_compiler(using=alias)
        self.locks = bool(queryset.query.select_for_update) and (
            compiler.connection.features.has_select_for_update
        )
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = {}
        for name, marker in markers.items():
            found = [i for i, value in enumerate(self.params) if value == marker]
            if len(found) != 1:
                raise ValueError(f"{name!r} is {len(found)} parameters of the query, not one.")
            self.slots[name] = found[0]
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, alias)
        self.annotations = tuple(compiler.annotation_col_map.items())
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.compiler = compiler
        self.alias = alias

    def params_for(self, values):
        """The parameters with `values` in their slots; None for an id out of range."""
        params = self.params.copy()
        for name, slot in self.slots.items():
            value = int(values[name])
            if not -_BIGINT <= value < _BIGINT:
                return None  # as Django's lookups: no row has an id out of range
            params[slot] = value
        return params

    def first(self, connection, values):
        if self.locks and connection.get_autocommit():
            raise TransactionManagementError("A locked read must run in a transaction.")
        params = self.params_for(values)
        if params is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            (row,) = self.compiler.apply_converters([row], self.converters)
        obj = self.model.from_db(self.alias, self.init_list, row[self.model_slice])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        return obj


_update_sql = weakref.WeakKeyDictionary()  # connection -> {(model, field names): sql}


def update_row(model, pk, **values):
    """UPDATE model's row `pk` with `values` (field names to plain values, not
    expressions): one statement, as `model.objects.filter(pk=pk).update(**values)`
    would run it, without building a queryset. Returns the number of rows updated."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [model._meta.get_field(name) for name in values]
    statements = _update_sql.setdefault(connection, {})
    key = (model, tuple(values))
    sql = statements.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql = statements[key] = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    params.append(model._meta.pk.get_db_prep_value(pk, connection))
    batch = _batch_of(connection)
    if batch is not None:
        row = (model._meta.db_table, pk)
        if any(write.row == row for write in batch):
            # One statement cannot update a row twice: the one before goes first.
            _send(connection, batch)
        batch.append(_Write(sql, f"{sql} AND {_GUARDED}", params, None, row))
        return None  # (sent with the batch: written_together)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


_insert_sql = weakref.WeakKeyDictionary()  # connection -> {model: (sql, guarded sql, fields)}


def insert(instance):
    """Save a new `instance` (with its pk unset) in one INSERT, as `save()` would, and
    return it with its pk. A model that pre_save or post_save listeners listen to is saved
    with save(), so that they still hear of it."""
    model = type(instance)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        instance.save()
        return instance
    alias = router.db_for_write(model)
    connection = connections[alias]
    statements = _insert_sql.setdefault(connection, {})
    if model not in statements:
        meta, quote = model._meta, connection.ops.quote_name
        fields = [field for field in meta.concrete_fields if field is not meta.pk]
        into = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        returning = ""
        if connection.features.can_return_columns_from_insert:
            returning = " " + connection.ops.return_insert_columns([meta.pk])[0]
        # Written only if: the values selected, each cast to its column's type (a parameter
        # in a SELECT list is otherwise text), without a length or precision, which the
        # assignment checks as it does for VALUES: a cast to varchar(6) would cut a longer
        # string short where VALUES refuses it.
        casts = ", ".join(
            f"%s::{_TYPE_MODIFIERS.sub('', field.cast_db_type(connection))}" for field in fields
        )
        statements[model] = (
            f"{into} VALUES ({', '.join(['%s'] * len(fields))}){returning}",
            f"{into} SELECT {casts} WHERE {_GUARDED}{returning}",
            fields,
        )
    sql, guarded, fields = statements[model]
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection=connection)
        for field in fields
    ]
    instance._state.adding, instance._state.db = False, alias
    batch = _batch_of(connection)
    if batch is not None:  # its pk arrives when the batch runs (written_together)
        batch.append(_Write(sql, guarded, params, instance, None))
        return instance
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance.pk = pk
    return instance


class NotWritten(Exception):
    """written_together(only_if=...) wrote nothing: its read found no row, or the block
    needed more than its one statement (a query, or a row written twice, before its end)."""


class _Write(NamedTuple):
    sql: str
    guarded: str  # the same, written only if the only_if read finds a row
    params: list
    instance: object  # an INSERT's instance, which gets its pk; None for an UPDATE
    row: tuple | None  # an UPDATE's (table, pk)


class _Batch(list):
    only_if = None  # (sql, params): a read that must find a row for the writes to be made


def writes_only_if(using="default"):
    """Whether written_together(only_if=...) can write here: in one statement on
    PostgreSQL. Elsewhere the caller has to lock what it reads."""
    return connections[using].vendor == "postgresql"


def written_only_if(using="default"):
    """Whether the code runs in a written_together(only_if=...) block: its writes are one
    statement, which needs no transaction around it."""
    batch = _batch_of(connections[using])
    return batch is not None and batch.only_if is not None


@contextmanager
def written_together(using="default", *, only_if=None):
    """The update_row and insert calls made inside, sent as one statement on PostgreSQL;
    elsewhere each runs as it comes. They are sent when the block ends, or before any other
    query the block runs, so that what it reads has them. An instance insert() saves has its
    pk once they are sent. The caller's transaction makes them all or nothing.

    `only_if` (PostgreSQL only, see writes_only_if): a locked read as (sql, params), with
    which the writes are made only if it finds a row, in the one statement sent at the end
    of the block; no transaction is needed around it. Otherwise nothing is written and
    NotWritten is raised, as it is when the block would need a second statement (a query
    after a write, a row written twice): the caller then does it the locked way."""
    connection = connections[using]
    if only_if is not None and not writes_only_if(using):
        raise ValueError(f"{connection.vendor} cannot write in one statement only if.")
    if connection.vendor != "postgresql" or _batch_of(connection) is not None:
        yield  # (a block inside another one is part of it)
        return
    batch = connection._written_together = _Batch()
    batch.only_if = only_if

    def writes_first(execute, sql, params, many, context):
        _send(connection, batch)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(writes_first):
            yield
    except BaseException:
        batch.clear()
        raise
    finally:
        connection._written_together = None
    _send(connection, batch, last=True)


def _batch_of(connection):
    return getattr(connection, "_written_together", None)


def _send(connection, batch, last=False):
    """The batch's statements as one: each a data-modifying CTE, the INSERTs' pks selected
    (and, with only_if, whether its read found a row)."""
    if not batch:
        return
    if batch.only_if is not None and not last:
        raise NotWritten("A block written only if must be one statement.")
    writes = batch.copy()
    batch.clear()
    parts, params, inserted = [], [], []
    if batch.only_if is not None:
        sql, only_if_params = batch.only_if
        parts.append(f"{_ONLY_IF} AS MATERIALIZED ({sql})")
        params += only_if_params
    for index, write in enumerate(writes):
        parts.append(f"w{index} AS ({write.guarded if batch.only_if else write.sql})")
        params += write.params
        if write.instance is not None:  # its INSERT returns its pk
            inserted.append((index, write.instance))
    quote = connection.ops.quote_name
    returned = [
        f"(SELECT {quote(instance._meta.pk.column)} FROM w{index})" for index, instance in inserted
    ]
    if batch.only_if is not None:
        returned.insert(0, _GUARDED)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {', '.join(returned) or '1'}", params)
        row = cursor.fetchone()
    if batch.only_if is not None:
        found, *row = row
        if not found:
            raise NotWritten("The only_if read found no row: nothing was written.")
    for (_index, instance), pk in zip(inserted, row, strict=False):
        instance.pk = pk
