"""Shared by the logging tests: the root logger's lines as LOG_FORMAT=json writes them."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bookstore import log_context
from bookstore.json_logs import JsonFormatter


@contextmanager
def captured_json_lines() -> Iterator[Callable[[], list[dict]]]:
    """A handler on the root logger wired as the settings wire it with LOG_FORMAT=json (the
    formatter, and the context filter on the handler); call the result for the parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(log_context.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
