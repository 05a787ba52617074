"""What a log line is about: the request, work and provider being handled, held in a context
variable so that every logger called meanwhile (ours, Django's, a library's) says so.

`bind(work_id=..., provider=...)` adds to the context for the length of a `with` block;
`ContextFilter`, on the log handlers, copies the context onto each record, where the JSON
formatter (`bookstore.json_logs`) writes it. Plain stdlib: gunicorn's config imports it too.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

#: The context's fields, in the order a log line shows them.
FIELDS = ("request_id", "work_id", "provider")

_EMPTY: MappingProxyType[str, Any] = MappingProxyType({})
_context: ContextVar[MappingProxyType[str, Any]] = ContextVar(
    "bookstore_log_context", default=_EMPTY
)


def current() -> dict[str, Any]:
    """The context now (a copy)."""
    return dict(_context.get())


@contextmanager
def bind(**values: Any) -> Iterator[None]:
    """Add `values` (None ones left out) to the log context until the block ends; an outer
    block's values come back then, even when the block raised."""
    unknown = set(values) - set(FIELDS)
    if unknown:  # a typo would silently log nothing
        raise TypeError(f"unknown log context fields: {sorted(unknown)}")
    merged = {**_context.get(), **{k: v for k, v in values.items() if v is not None}}
    token = _context.set(MappingProxyType(merged))
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the log context onto each record (an explicit `extra=` value wins). Put it on the
    handlers: a logger's own filters do not see the records its children propagate."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True
