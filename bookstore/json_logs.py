"""One JSON object per log line (`LOG_FORMAT=json`), for a log collector reading several
machines: time (ISO 8601, UTC), level, logger, message, the log context's fields when known
(`bookstore.log_context`) and the traceback as a string. Plain stdlib, no Django: gunicorn's
config uses it for its own loggers before Django is loaded.
"""

import json
import logging
from datetime import UTC, datetime

from bookstore.log_context import FIELDS


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines: a traceback stays on its line.
        return json.dumps(entry, default=str, ensure_ascii=False)
