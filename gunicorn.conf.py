"""gunicorn's settings for the web process in production (`make serve`, or
`gunicorn -c gunicorn.conf.py`), from the environment; the README's Production section lists
them. The Django settings read their own variables (DEBUG off, SECRET_KEY, ALLOWED_HOSTS, ...).
"""

import os
from pathlib import Path

import environ

# A `.env` beside manage.py, as bookstore/settings.py reads it: gunicorn reads this file before
# Django's settings, so without it BIND or WEB_CONCURRENCY set there would be ignored. Variables
# already in the environment win.
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)

wsgi_app = "bookstore.wsgi:application"

# gunicorn's own convention: BIND wins; else PORT means every interface (a container's port);
# else loopback only.
_port = os.environ.get("PORT", "")
bind = [os.environ.get("BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request running longer is killed and its worker replaced (an inline import of
# IMPORT_INLINE_MAX_ROWS rows takes a few seconds); larger work goes to the qcluster.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Workers are replaced now and then, so that no slow leak grows for the life of the process.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# No runtime control socket (gunicornc): its default path is one per user, shared by every
# gunicorn of that user, and nothing here uses it.
control_socket_disable = True
# A request line as long as the API's longest documented query: `enrichment/status` with its 500
# work ids of seven or eight digits, the commas percent-encoded (`%2C`, as most HTTP libraries
# send them), is 5-6 KB, past gunicorn's 4094 bytes, which answered its own HTML 414. 8190 is the
# most gunicorn takes.
limit_request_line = 8190

# Access and error logs on stdout / stderr, for the process manager to collect; each access
# line names the request's id (bookstore.middleware), as the application's log lines do.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

if os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json":
    # gunicorn's own lines as JSON objects too (an access line is the object's message).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bookstore.json_logs.JsonFormatter"}},
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"handlers": ["error"], "level": "INFO"},  # replaces gunicorn's default root
        "loggers": {
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        },
    }
