"""pg_trgm's `%` at a chosen similarity, for one block: what the backfill's duplicate check and
the dump's title search both need (PostgreSQL only)."""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

#: pg_trgm's own default of pg_trgm.similarity_threshold (a session that has not loaded it yet
#: has no value: current_setting(..., true) is NULL there).
DEFAULT_THRESHOLD = "0.3"


@contextlib.contextmanager
def trigram_threshold(similarity: float) -> Iterator:
    """A cursor on which `a % b` means similarity(a, b) >= `similarity`, in a transaction of its
    own (a savepoint inside a caller's): `%` is what a GIN gin_trgm_ops index serves, where a
    similarity() >= x filter reads every row. The setting is put back after the block, so that
    a caller's transaction keeps its own; if the block fails, the rollback puts it back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold', true)")
        previous = cursor.fetchone()[0] or DEFAULT_THRESHOLD
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(similarity)]
        )
        yield cursor
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [previous])
