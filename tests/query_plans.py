"""The plan the database chooses for a query, for tests that pin an index (one line of text).

Test tables hold a few rows, where PostgreSQL would read a whole table (or sort it) rather than
use an index: the planner methods named in `off` are turned off for the test's transaction.
"""

from django.db import connection
from django.db.models import QuerySet


def query_plan(sql: str, params=(), *, off: tuple[str, ...] = ("seqscan", "sort")) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for method in off:
                cursor.execute(f"SET LOCAL enable_{method} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


def queryset_plan(queryset: QuerySet, *, off: tuple[str, ...] = ("seqscan", "sort")) -> str:
    return query_plan(*queryset.query.sql_with_params(), off=off)
