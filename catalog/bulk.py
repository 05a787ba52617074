"""A lean bulk insert for high-volume rows whose ids are not needed afterwards.

Django's bulk_create prepares every value through the field machinery and, on SQLite, splits
inserts into 999-parameter statements; for the import's per-row records that costs more than
the database work. This inserts with one executemany, adapting values with the backend's own
adapters (datetimes, JSON), so the stored values are the same as the ORM would write.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def insert_many(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]):
    """INSERT rows (tuples in `fields` order) into model's table. JSON fields are adapted here;
    datetimes must come adapted (see `db_datetime`)."""
    meta = model._meta
    qn = connection.ops.quote_name
    columns = [_column_field(model, name) for name in fields]
    json_fields = [(i, f) for i, f in enumerate(columns) if isinstance(f, models.JSONField)]
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapt_json = connection.ops.adapt_json_value
    prepared = []
    for row in rows:
        row = list(row)
        for i, json_field in json_fields:
            row[i] = adapt_json(row[i], json_field.encoder)
        prepared.append(row)
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def _column_field(model: type[models.Model], name: str) -> models.Field:
    """The field behind one of the model's columns (a relation's other side has none)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def db_datetime(value):
    """A datetime adapted for this connection (SQLite stores text, PostgreSQL timestamptz)."""
    return connection.ops.adapt_datetimefield_value(value)
