"""Lean bulk inserts for the import's high-volume rows.

Django's bulk_create prepares every value through the field machinery and, on SQLite, splits
inserts into 999-parameter statements; for the import's rows that costs more than the database
work. `insert_many` inserts rows whose ids are not needed (binary COPY on PostgreSQL, one
executemany elsewhere); `insert_new` inserts model instances and gives them their ids (reserved
ids and binary COPY on PostgreSQL, INSERT ... RETURNING on SQLite). Both write datetimes as the
backend takes them and JSON as the text the ORM would store, so the stored values are the ORM's.
"""

import contextlib
import functools
import json
import operator
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import TypeVar

import psycopg
from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg.adapt import Dumper
from psycopg.pq import Format

_M = TypeVar("_M", bound=models.Model)


def insert_many(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]):
    """INSERT rows (tuples in `fields` order) into model's table. JSON fields are adapted here;
    datetimes must come adapted (see `db_datetime`)."""
    columns = [_column_field(model, name) for name in fields]
    json_fields = [(i, f.encoder) for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
    prepared = []
    for row in rows:
        row = list(row)
        for i, encoder in json_fields:
            value = row[i]
            row[i] = _json_text(value, encoder)
        prepared.append(row)
    _write(model._meta.db_table, columns, prepared)


class JsonText(str):
    """A JSON field's value already encoded by `json_text` (in another process, say): the
    inserts here write it as it is."""


def json_text(model: type[models.Model], name: str, value) -> JsonText:
    """The text `insert_many` would store for this value of the model's JSON field `name`."""
    field = _column_field(model, name)
    if not isinstance(field, models.JSONField):
        raise ValueError(f"{model.__name__}.{name} is not a JSON field")
    return JsonText(_json_text(value, field.encoder))


def _json_text(value, encoder) -> str:
    """A JSON field's value as the text the ORM stores: what both databases take (SQLite stores
    it; COPY reads it into jsonb), where psycopg's Jsonb wrapper would dump each value again
    through Python at the COPY. Most rows' lists and dicts are empty."""
    if type(value) is JsonText:
        return value
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    return json.dumps(value, cls=encoder)


def _write(table: str, fields: list[models.Field], rows: list[list]) -> None:
    """Rows (values in `fields` order) into a table: COPY on PostgreSQL (its fastest way in, and
    no SQL text to build), one executemany of a prepared INSERT elsewhere. The database's
    refusals are Django's IntegrityError / DataError either way."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, f"{qn(table)} ({names})", fields, rows)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({placeholders})", rows)


def _copy(raw_cursor, target: str, fields: list[models.Field], rows: list[list]) -> None:
    """PostgreSQL: COPY in binary when every column's type has a binary form here (the server
    then parses no timestamps, numbers or booleans as text: about 5 % of its CPU in an import),
    else as text."""
    types = [_BINARY_TYPES.get((f.db_type(connection) or "").split("(")[0], "") for f in fields]
    binary = "" not in types
    sql = f"COPY {target} FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    with _logged(sql, len(rows)), connection.wrap_database_errors:
        if binary:
            _check_integer_ranges(types, rows)
            raw_cursor.adapters.register_dumper(None, _JsonTextBinaryDumper)
        with raw_cursor.copy(sql) as copy:
            if binary:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)


#: A column's database type (Django's `db_type`, without its length) -> the psycopg type whose
#: binary form COPY sends. Text of any length goes as text (the server checks the length).
_BINARY_TYPES = {
    "varchar": "text",
    "text": "text",
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "jsonb": "jsonb",
}
_INTEGER_LIMITS = {"int2": 2**15, "int4": 2**31}


def _check_integer_ranges(types: list[str], rows: list[list]) -> None:
    """A number its column cannot hold is refused as the server refuses it in a text COPY:
    psycopg's binary form of a smallint or an integer would silently keep its low bytes."""
    for index, name in enumerate(types):
        limit = _INTEGER_LIMITS.get(name)
        if limit is None:
            continue
        numbers = [row[index] for row in rows if row[index] is not None]
        if numbers and (min(numbers) < -limit or max(numbers) >= limit):
            raise psycopg.errors.NumericValueOutOfRange(f"{name} out of range")


class _JsonTextBinaryDumper(Dumper):
    """A jsonb column's value, given as its JSON text (`_json_text`), in jsonb's binary form:
    a version byte and the text. (psycopg's own dumper would encode the text as a JSON string.)"""

    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj):
        return b"\x01" + obj.encode()


@contextlib.contextmanager
def _logged(sql: str, rows: int):
    """A statement run on the driver's own cursor, counted like any other (tests, debug
    tools): its start, and its end (a COPY's format)."""
    started = time.monotonic()
    yield
    if connection.queries_logged:
        text = sql if len(sql) <= 200 else f"{sql[:150]} ... {sql[-50:]}"
        connection.queries_log.append(
            {"sql": f"{text} -- {rows} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _column_field(model: type[models.Model], name: str) -> models.Field:
    """The field behind one of the model's columns (a relation's other side has none)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def db_datetime(value):
    """A datetime as the inserts here write it: the text SQLite stores; on PostgreSQL the
    datetime itself, which the binary COPY sends as its number of microseconds (as text, psycopg
    formatted it again for every row, about a tenth of the importing process's CPU)."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def insert_new(objs: Sequence[models.Model]) -> None:
    """INSERT new instances of one model and give each its primary key: on PostgreSQL ids
    reserved from the table's sequence and one COPY, on SQLite INSERT ... RETURNING (which
    SQLite >= 3.35 answers in the rows' order, as bulk_create relies on).

    Without bulk_create's per-object preparation of every field: text, numbers, booleans and
    foreign keys go to the database as they are (they must hold values of their type), the
    batch's auto_now / auto_now_add timestamps are one value, and only the other fields (dates,
    JSON, files) pass through their field's own preparation. Related objects saved just before
    give their keys, as with bulk_create.
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    rows = _column_values(objs, fields)
    if connection.vendor == "postgresql":
        pks = _reserve_ids(meta, len(objs))
        for pk, values in zip(pks, rows, strict=True):
            values.insert(0, pk)
        _write(meta.db_table, [meta.pk, *fields], rows)
    else:
        pks = _insert_returning_ids(meta, fields, rows)
    alias, pk_attname = connection.alias, meta.pk.attname
    for obj, pk in zip(objs, pks, strict=True):
        if meta.parents:  # pragma: no cover - multi-table inheritance: the parents' keys too
            obj.pk = pk
        obj.__dict__[pk_attname] = pk
        obj._state.adding = False
        obj._state.db = alias


def _column_values(objs: Sequence[models.Model], fields: list[models.Field]) -> list[list]:
    """Each object's values for these columns, ready for the database."""
    now = timezone.now()
    now_db = db_datetime(now)
    timestamps, prepared, json_fields = [], [], []
    for index, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            timestamps.append((index, f.attname))
        elif isinstance(f, models.JSONField):
            json_fields.append((index, f.encoder))
        elif not isinstance(f, _PLAIN_FIELDS):
            # A date's database form depends on the date alone: prepared once per date below.
            plain_date = type(f) is models.DateField and not (f.auto_now or f.auto_now_add)
            prepared.append((index, f, isinstance(f, models.FileField), plain_date))
    relations = [f for f in fields if isinstance(f, models.ForeignKey)]
    get_values = operator.itemgetter(*(f.attname for f in fields))
    # An empty list or dict, and each date, prepared once per column.
    prepared_once: dict[tuple[int, object], object] = {}
    rows = []
    for obj in objs:
        state = obj.__dict__
        for relation in relations:
            if state[relation.attname] is None:
                related = relation.get_cached_value(obj, None)
                if related is not None:
                    state[relation.attname] = related.pk
        for _index, attname in timestamps:
            state[attname] = now
        values = list(get_values(state))
        for index, _attname in timestamps:
            values[index] = now_db
        for index, encoder in json_fields:  # as text, like insert_many's
            value = values[index]
            if value is not None:
                values[index] = _json_text(value, encoder)
        for index, f, is_file, plain_date in prepared:
            value = values[index]
            if value is None or (is_file and type(value) is str):
                continue
            if plain_date or (not value and type(value) in (list, dict)):
                key = (index, value if plain_date else type(value))
                if key not in prepared_once:
                    prepared_once[key] = f.get_db_prep_save(value, connection)
                values[index] = prepared_once[key]
            else:
                values[index] = f.get_db_prep_save(f.pre_save(obj, True), connection)
        rows.append(values)
    return rows


def _insert_returning_ids(meta, fields: list[models.Field], rows: list[list]) -> list[int]:
    """SQLite: multi-row INSERTs as long as it allows, -> the new ids in the rows' order. (One
    statement of many rows, not an executemany: the works' search index, an FTS5 table kept by
    a trigger, writes its pending terms at each statement's end, which made an executemany of
    the works four times slower.)"""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    # SQLite's own placeholders: Django's cursor would rewrite each "%s" of a statement of
    # thousands with a regular expression, which cost more than the INSERT's parsing.
    placeholders = "(" + ", ".join(["?"] * len(fields)) + ")"
    table, pk_column = qn(meta.db_table), qn(meta.pk.column)
    per_statement = max(1, _max_query_params() // len(fields))
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} "
                f"RETURNING {pk_column}"
            )
            with _logged(sql, len(chunk)), connection.wrap_database_errors:
                raw = cursor.cursor
                sqlite3.Cursor.execute(raw, sql, [value for row in chunk for value in row])
                pks.extend(pk for (pk,) in raw.fetchall())
    return pks


# Fields whose Python value is the database's: text, numbers, booleans, foreign keys. (A file
# field holds its name as text until it is opened: `insert_new` passes that text as it is.)
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


#: `count` ids from the sequence behind a table's column, each its own nextval (safe beside
#: any other writer). The sequence is found once, by the subquery (run once, before the rows):
#: as nextval's argument, pg_get_serial_sequence ran again for every id, six times nextval's
#: own cost.
RESERVE_IDS_SQL = (
    "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass)) "
    "FROM generate_series(1, %s) ORDER BY 1"
)


def _reserve_ids(meta, count: int) -> list[int]:
    """`count` new ids from the PostgreSQL sequence behind the table's primary key."""
    with connection.cursor() as cursor:
        cursor.execute(RESERVE_IDS_SQL, [meta.db_table, meta.pk.column, count])
        return [pk for (pk,) in cursor.fetchall()]


def _max_query_params() -> int:
    """Parameters one statement may hold: SQLite's compiled limit (32,766 since 3.32; Django
    assumes 999), PostgreSQL's 65,535."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65_535


def new_instance(model: type[_M], **values) -> _M:
    """A new, unsaved instance, built as Model.__init__ builds it (every field's default, then
    these values) without its per-field work, which costs more than the import's INSERT of the
    row. Values are given by attribute name (`work_id`, not `work`: set a related object on the
    instance afterwards). A model that receives init signals is built by Model.__init__."""
    defaults, made_defaults, signalled = _instance_defaults(model)
    if signalled:
        return model(**values)
    obj = model.__new__(model)
    obj._state = ModelState()
    state = obj.__dict__
    state.update(defaults)
    for attname, make_default in made_defaults:  # a fresh list or dict for each instance
        state[attname] = make_default()
    state.update(values)
    return obj


def loaded_instance(model: type[_M], values: dict) -> _M:
    """The instance a query of only these fields (`QuerySet.only`, values by attribute name)
    loads: the other fields deferred (reading one is a query of its own), built without
    Model.__init__'s pass over every field, which costs more per object than its row in the
    query. A model that receives init signals is loaded by Model.from_db."""
    _defaults, _made, signalled = _instance_defaults(model)
    if signalled:
        names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
        return model.from_db(connection.alias, names, [values[name] for name in names])
    obj = model.__new__(model)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = connection.alias
    obj.__dict__.update(values)
    return obj


def relate(obj: models.Model, name: str, related: models.Model) -> None:
    """`obj.<name> = related` for a new instance of `new_instance`, without the descriptor's
    checks (database routing, instance types), which cost more per row than its INSERT: the key
    is the related object's now, or taken from it by `insert_new` once it has one."""
    field = obj._meta.get_field(name)
    if not isinstance(field, models.ForeignKey):
        raise ValueError(f"{type(obj).__name__}.{name} is not a foreign key")
    obj.__dict__[field.attname] = related.pk
    field.set_cached_value(obj, related)


@functools.cache
def _instance_defaults(model: type[models.Model]):
    """-> (attname -> default, [(attname, default callable)], whether init signals listen)."""
    defaults, made = {}, []
    for f in model._meta.concrete_fields:
        if f.has_default() and callable(f.default):
            made.append((f.attname, f.default))
        else:
            defaults[f.attname] = f.get_default()
    signalled = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    return defaults, made, signalled
