"""Settings for bookstore, read from the environment (django-environ).

Every secret and switch comes from an environment variable with a safe local default; the README
lists them all. A `.env` file beside manage.py is read when present.
"""

from pathlib import Path

import environ
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from bookstore.storage_settings import (
    S3_BACKEND,
    import_storage_prefix,
    private_s3_storage_options,
    s3_storage_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production must set its own.
DEV_SECRET_KEY = "django-insecure-bookstore-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment, or DEBUG=1 for local "
            "development (make run does this)."
        )
    SECRET_KEY = DEV_SECRET_KEY
# Older keys still accepted for signatures while a new SECRET_KEY rolls out.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])


def _weak_secret_key(key: str) -> bool:
    """Django's own test for a key an attacker could guess (what check --deploy warns about)."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


if not DEBUG and any(_weak_secret_key(key) for key in (SECRET_KEY, *SECRET_KEY_FALLBACKS)):
    raise ImproperlyConfigured(
        f"SECRET_KEY (or one of SECRET_KEY_FALLBACKS) is too weak for DEBUG off: it needs at "
        f"least {SECRET_KEY_MIN_LENGTH} characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct "
        f"ones, and no '{SECRET_KEY_INSECURE_PREFIX}' prefix. Generate one with: python -c "
        f"'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our AdminConfig installs the branded site as admin.site, so every app's admin (django-q2's
    # included) registers on it.
    "bookstore.apps.BookstoreAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "storages",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files (no CDN)
    "catalog",
    "enrichment",
]

MIDDLEWARE = [
    # First, so that every log line of the request (Django's own included) names its id.
    "bookstore.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from gunicorn itself (no runserver, no separate file server in production).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bookstore.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bookstore.context_processors.demo_mode",
            ],
        },
    },
]

WSGI_APPLICATION = "bookstore.wsgi.application"
ASGI_APPLICATION = "bookstore.asgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and a django-q2 worker write at once: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock up front (no deadlock on lock upgrade), and the
    # timeout makes a busy writer wait instead of failing with "database is locked". The WAL
    # is copied back into the database every 10,000 pages (40 MB) rather than SQLite's 1,000:
    # an import's batch rewrites the same index pages, which are then copied once, not at
    # nearly every commit (4 % of a 100,000-row import). The backend is Django's, whose
    # writers wait for the lock asking every millisecond (bookstore/sqlite_backend/base.py).
    DATABASES["default"]["ENGINE"] = "bookstore.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # libpq waits for an unanswering server forever: a request, a worker or /healthz's thread
    # would hang with it. A `connect_timeout` in DATABASE_URL's query string wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=10)
    )
    # PostgreSQL's JIT compiles every plan estimated above `jit_above_cost`, which an admin
    # list's query over a million rows is, whatever its LIMIT: the authors list filtered by
    # enrichment spent 354 ms compiling for 35 ms of work (bench/admin.py). The app runs short
    # queries only; `options` in DATABASE_URL's query string wins.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's model backend, a user's own and their groups' permissions read in one query.
AUTHENTICATION_BACKENDS = ["bookstore.auth_backend.ModelBackendOneQuery"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and media storage -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem").lower()
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {
        # Django's, but a save that fails part-way (a full disk) leaves no half file.
        "BACKEND": "bookstore.file_storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
elif STORAGE_BACKEND == "s3":
    # django-storages' S3 backend: bookstore/storage_settings.py (tested against an emulator).
    _s3_options = s3_storage_options(env)
    DEFAULT_STORAGE = {"BACKEND": S3_BACKEND, "OPTIONS": _s3_options}
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}."
    )

# Uploaded exports are personal data and files we did not write: they get a storage of their
# own that is never under MEDIA_URL (no URL at all on the filesystem, a private S3 prefix
# without the CDN), read back only through the permission-checked download view. A startup
# check refuses a location inside MEDIA_ROOT or a public S3 set-up.
IMPORT_STORAGE_LOCATION = env.path(
    "IMPORT_STORAGE_LOCATION", default=BASE_DIR / "private" / "imports"
)
IMPORT_STORAGE_PREFIX = import_storage_prefix(env)
if STORAGE_BACKEND == "s3":
    IMPORT_STORAGE = {
        "BACKEND": S3_BACKEND,
        "OPTIONS": private_s3_storage_options(env, _s3_options),
    }
else:
    IMPORT_STORAGE = {
        "BACKEND": "catalog.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(IMPORT_STORAGE_LOCATION)},
    }

STORAGES = {
    "default": DEFAULT_STORAGE,
    "imports": IMPORT_STORAGE,
    # In production, WhiteNoise's: hashed names (cached "forever" by browsers) and gzip / brotli
    # copies, made by collectstatic; with DEBUG, files as they are, no collectstatic needed.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploads ------------------------------------------------------------------------------------
# The CSV import form checks its own limit (IMPORT_MAX_UPLOAD_BYTES); Django's limits guard the
# rest of the site.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Imports up to this many rows run in the request; larger ones go to a worker.
IMPORT_INLINE_MAX_ROWS = env.int("IMPORT_INLINE_MAX_ROWS", default=500)
# Uploaded files (and their rows' cells) are deleted this many days after the upload; 0 keeps
# them forever.
IMPORT_RETENTION_DAYS = env.int("IMPORT_RETENTION_DAYS", default=30)
# An import of at least this many rows reads and normalizes its next batch in a forked worker
# process while the current one is written (both cores); set it above any file to turn it off.
IMPORT_READING_WORKER_MIN_ROWS = env.int("IMPORT_READING_WORKER_MIN_ROWS", default=2000)
# Where imports hand the works they touched to enrichment (a dotted path; catalog does not
# import enrichment).
CATALOG_ENRICHMENT_HOOK = "enrichment.queue.post_import_hook"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# First: a request's files stop being read past the largest upload the product takes (an import,
# a cover), instead of being received whole into a temporary file (bookstore/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "bookstore.uploads.StopAtUploadCeiling",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Task queue (django-q2) -------------------------------------------------------------------
Q_SYNC = env.bool("Q_SYNC", default=False)
Q_TIMEOUT = env.int("Q_TIMEOUT", default=300)
Q_CLUSTER = {
    "name": "bookstore",
    "workers": env.int("Q_WORKERS", default=2),
    "recycle": 500,
    # A task that runs past `timeout` is killed; `retry` must be larger or a slow task would be
    # handed to a second worker while the first is still running it (checked at startup).
    "timeout": Q_TIMEOUT,
    "retry": env.int("Q_RETRY", default=Q_TIMEOUT + 60),
    "max_attempts": 1,
    "catch_up": False,
    "sync": Q_SYNC,
    "queue_limit": 50,
    "save_limit": 1000,
    "ack_failures": True,
    "label": "Task queue",
}
# Cover downloads have a queue of their own, worked by its own cluster
# (`Q_CLUSTER_NAME=covers manage.py qcluster`), so they run while metadata batches wait on the
# providers' rate limits instead of queuing behind them. Empty: the main cluster works them.
COVER_CLUSTER = env.str("COVER_CLUSTER", default="covers")
# django-q2 applies these over Q_CLUSTER in a process started with Q_CLUSTER_NAME set (and
# needs the key whenever that is set).
Q_CLUSTER["ALT_CLUSTERS"] = (
    {COVER_CLUSTER: {"workers": env.int("Q_COVER_WORKERS", default=2)}} if COVER_CLUSTER else {}
)
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    # django-q2's Redis broker with receipts: a killed cluster's tasks are not lost with it.
    Q_CLUSTER["broker_class"] = "bookstore.receipt_broker.ReceiptRedis"
else:
    Q_CLUSTER["orm"] = "default"
    # django-q2's ORM broker, stamping its tasks with the database's clock, not each machine's.
    Q_CLUSTER["broker_class"] = "bookstore.orm_broker.DatabaseClockORM"
    Q_CLUSTER["poll"] = env.float("Q_POLL", default=1.0)
# Each qcluster process writes its heartbeat to the database this often (0: never), so that
# the dashboard sees every cluster on every machine; one silent past the stale threshold is
# shown as having stopped answering (enrichment/heartbeats.py).
CLUSTER_HEARTBEAT_SECONDS = env.float("CLUSTER_HEARTBEAT_SECONDS", default=10.0)
CLUSTER_HEARTBEAT_STALE_SECONDS = env.float("CLUSTER_HEARTBEAT_STALE_SECONDS", default=60.0)

# --- Enrichment providers ---------------------------------------------------------------------
ENRICHMENT_PROVIDERS = env.list(
    "ENRICHMENT_PROVIDERS",
    default=[
        "openlibrary_dump",
        "openlibrary",
        "google_books",
        "isbndb",
        "wikidata",
        "archive_org",
    ],
)
ENRICHMENT_CONTACT_EMAIL = env.str("ENRICHMENT_CONTACT_EMAIL", default="")
# The public defaults. A provider URL that differs from its default was set by the operator,
# and only such hosts may resolve to private addresses (a local mirror, a test server).
PROVIDER_URL_DEFAULTS = {
    "OPENLIBRARY_URL": "https://openlibrary.org",
    "OPENLIBRARY_COVERS_URL": "https://covers.openlibrary.org",
    "GOOGLE_BOOKS_URL": "https://www.googleapis.com/books/v1",
    "ISBNDB_URL": "https://api2.isbndb.com",
    "WIKIDATA_SPARQL_URL": "https://query.wikidata.org/sparql",
    "WIKIMEDIA_COMMONS_URL": "https://commons.wikimedia.org",
    "ARCHIVE_ORG_URL": "https://archive.org",
}
OPENLIBRARY_URL = env.str("OPENLIBRARY_URL", default=PROVIDER_URL_DEFAULTS["OPENLIBRARY_URL"])
OPENLIBRARY_COVERS_URL = env.str(
    "OPENLIBRARY_COVERS_URL", default=PROVIDER_URL_DEFAULTS["OPENLIBRARY_COVERS_URL"]
)
GOOGLE_BOOKS_URL = env.str("GOOGLE_BOOKS_URL", default=PROVIDER_URL_DEFAULTS["GOOGLE_BOOKS_URL"])
GOOGLE_BOOKS_API_KEY = env.str("GOOGLE_BOOKS_API_KEY", default="")
ISBNDB_URL = env.str("ISBNDB_URL", default=PROVIDER_URL_DEFAULTS["ISBNDB_URL"])
ISBNDB_API_KEY = env.str("ISBNDB_API_KEY", default="")
WIKIDATA_SPARQL_URL = env.str(
    "WIKIDATA_SPARQL_URL", default=PROVIDER_URL_DEFAULTS["WIKIDATA_SPARQL_URL"]
)
# Where Wikidata's images (an author's P18 photo) live, and the API that states their licences.
WIKIMEDIA_COMMONS_URL = env.str(
    "WIKIMEDIA_COMMONS_URL", default=PROVIDER_URL_DEFAULTS["WIKIMEDIA_COMMONS_URL"]
)
ARCHIVE_ORG_URL = env.str("ARCHIVE_ORG_URL", default=PROVIDER_URL_DEFAULTS["ARCHIVE_ORG_URL"])

# Per-provider request rate (requests per second) and daily budget (0 = unlimited).
OPENLIBRARY_RATE = env.float("OPENLIBRARY_RATE", default=3.0 if ENRICHMENT_CONTACT_EMAIL else 1.0)
OPENLIBRARY_DAILY_BUDGET = env.int("OPENLIBRARY_DAILY_BUDGET", default=0)
OPENLIBRARY_BATCH_SIZE = env.int("OPENLIBRARY_BATCH_SIZE", default=100)
# Title + author searches sent in one search.json request (1: each alone).
OPENLIBRARY_SEARCH_GROUP_SIZE = env.int("OPENLIBRARY_SEARCH_GROUP_SIZE", default=10)
# How long a batch's books wait for other batches' to fill a title-search group (a full group,
# or no other batch at work, searches at once); 0: each batch searches its own books.
OPENLIBRARY_SEARCH_GATHER_SECONDS = env.float("OPENLIBRARY_SEARCH_GATHER_SECONDS", default=5.0)
GOOGLE_BOOKS_RATE = env.float("GOOGLE_BOOKS_RATE", default=1.0)
GOOGLE_BOOKS_DAILY_BUDGET = env.int("GOOGLE_BOOKS_DAILY_BUDGET", default=1000)
ISBNDB_RATE = env.float("ISBNDB_RATE", default=1.0)
ISBNDB_DAILY_BUDGET = env.int("ISBNDB_DAILY_BUDGET", default=2000)
ISBNDB_BATCH_SIZE = env.int("ISBNDB_BATCH_SIZE", default=100)
WIKIDATA_RATE = env.float("WIKIDATA_RATE", default=1.0)
WIKIDATA_DAILY_BUDGET = env.int("WIKIDATA_DAILY_BUDGET", default=0)
WIKIDATA_MAX_IN_FLIGHT = env.int("WIKIDATA_MAX_IN_FLIGHT", default=5)
ARCHIVE_ORG_RATE = env.float("ARCHIVE_ORG_RATE", default=1.0)
ARCHIVE_ORG_DAILY_BUDGET = env.int("ARCHIVE_ORG_DAILY_BUDGET", default=0)

# Cache, HTTP and circuit breaker, shared by every provider client.
ENRICHMENT_CACHE_HIT_DAYS = env.int("ENRICHMENT_CACHE_HIT_DAYS", default=7)
ENRICHMENT_CACHE_MISS_DAYS = env.int("ENRICHMENT_CACHE_MISS_DAYS", default=14)
ENRICHMENT_HTTP_CONNECT_TIMEOUT = env.float("ENRICHMENT_HTTP_CONNECT_TIMEOUT", default=5.0)
ENRICHMENT_HTTP_READ_TIMEOUT = env.float("ENRICHMENT_HTTP_READ_TIMEOUT", default=30.0)
# Requests go out at (1 - headroom) x the configured rate, so timing jitter never crosses it.
ENRICHMENT_RATE_HEADROOM = env.float("ENRICHMENT_RATE_HEADROOM", default=0.05)
ENRICHMENT_BREAKER_FAILURES = env.int("ENRICHMENT_BREAKER_FAILURES", default=5)
ENRICHMENT_BREAKER_OPEN_SECONDS = env.int("ENRICHMENT_BREAKER_OPEN_SECONDS", default=60)
# The longest a provider's Retry-After may hold it back (an absurd one is cut to this).
ENRICHMENT_MAX_RETRY_AFTER_SECONDS = env.int("ENRICHMENT_MAX_RETRY_AFTER_SECONDS", default=3600)
# Largest provider answer read (decoded bytes; more is a provider fault). Sized for a 100-ISBN
# Books API answer: the largest recorded record is 2,815 bytes per ISBN (tests/fixtures/providers/
# openlibrary/books_api_jscmd_data__ISBN_9780316030571.json), x 100 = 282 KB; 4 MiB leaves ~15x
# headroom for long descriptions and subject lists (100 records at the field caps in
# enrichment/providers/fields.py, ~25 KB each, still fit) and fits an ISBNdb bulk answer.
ENRICHMENT_MAX_RESPONSE_BYTES = env.int("ENRICHMENT_MAX_RESPONSE_BYTES", default=4 * 1024 * 1024)

# The queue: attempts, backoff, stale claims, dispatch.
ENRICHMENT_MAX_ATTEMPTS = env.int("ENRICHMENT_MAX_ATTEMPTS", default=3)
if not 1 <= ENRICHMENT_MAX_ATTEMPTS <= 32766:  # the first try counts; a small integer column
    raise ImproperlyConfigured(
        f"ENRICHMENT_MAX_ATTEMPTS must be between 1 and 32766 (the first try included), not "
        f"{ENRICHMENT_MAX_ATTEMPTS}."
    )
ENRICHMENT_RETRY_BASE_SECONDS = env.int("ENRICHMENT_RETRY_BASE_SECONDS", default=60)
ENRICHMENT_STALE_SECONDS = env.int("ENRICHMENT_STALE_SECONDS", default=300)
ENRICHMENT_DISPATCH_MAX = env.int("ENRICHMENT_DISPATCH_MAX", default=5000)
ENRICHMENT_UNAVAILABLE_RETRY_SECONDS = env.int("ENRICHMENT_UNAVAILABLE_RETRY_SECONDS", default=3600)

# --- Covers ------------------------------------------------------------------------------------
COVER_MAX_BYTES = env.int("COVER_MAX_BYTES", default=10 * 1024 * 1024)
COVER_MIN_SIDE = env.int("COVER_MIN_SIDE", default=50)
COVER_MIN_SIDE_LARGE = env.int("COVER_MIN_SIDE_LARGE", default=150)
COVER_MAX_PIXELS = env.int("COVER_MAX_PIXELS", default=40_000_000)
COVER_CONNECT_TIMEOUT = env.float("COVER_CONNECT_TIMEOUT", default=5.0)
COVER_READ_TIMEOUT = env.float("COVER_READ_TIMEOUT", default=20.0)

# --- Enrichment policy -------------------------------------------------------------------------
ENRICHMENT_AUTO_ENABLED = env.bool("ENRICHMENT_AUTO_ENABLED", default=True)
ENRICHMENT_AUTO_APPLY_COVERS = env.bool("ENRICHMENT_AUTO_APPLY_COVERS", default=True)
ENRICHMENT_AUTO_APPLY_METADATA = env.bool("ENRICHMENT_AUTO_APPLY_METADATA", default=True)
ENRICHMENT_BATCH_SIZE = env.int("ENRICHMENT_BATCH_SIZE", default=100)
# Books without an ISBN or Open Library key are searched by title (about 1 request per second):
# small tasks, queued after the batched lookups.
ENRICHMENT_SEARCH_BATCH_SIZE = env.int("ENRICHMENT_SEARCH_BATCH_SIZE", default=10)
COVER_ALLOWED_HOSTS = env.list("COVER_ALLOWED_HOSTS", default=[])

# --- Catalog backfill (enrichment.backfill) ------------------------------------------------------
# Where a month's books are discovered, in order: "openlibrary_dump" (the loaded dump's works
# first published that month, by number of editions), "openlibrary_search" (Open Library's
# search API), "llm" (an OpenAI-compatible chat model; only when BACKFILL_LLM_URL is set).
BACKFILL_SOURCES = env.list("BACKFILL_SOURCES", default=["openlibrary_dump", "openlibrary_search"])
BACKFILL_BOOKS_PER_MONTH = env.int("BACKFILL_BOOKS_PER_MONTH", default=20)
# Open Library's search: "editions" (most editions first) or "rating".
BACKFILL_SEARCH_SORT = env.str("BACKFILL_SEARCH_SORT", default="editions")
BACKFILL_SEARCH_PAGES = env.int("BACKFILL_SEARCH_PAGES", default=3)
# The chat-completions endpoint's base (".../v1"); several models, comma-separated, are asked
# side by side. Their answers are proposals only: each title must still resolve.
BACKFILL_LLM_URL = env.str("BACKFILL_LLM_URL", default="")
BACKFILL_LLM_MODEL = env.list("BACKFILL_LLM_MODEL", default=[])
BACKFILL_LLM_API_KEY = env.str("BACKFILL_LLM_API_KEY", default="")
BACKFILL_LLM_TIMEOUT = env.float("BACKFILL_LLM_TIMEOUT", default=60.0)
# Months in progress at once: the scheduler (every 5 minutes) claims up to this many.
BACKFILL_MONTHS_PER_RUN = env.int("BACKFILL_MONTHS_PER_RUN", default=2)
# A month PROCESSING without a heartbeat for this long was left by a dead worker: it is retried,
# at most BACKFILL_MAX_RETRIES times before it is marked failed.
BACKFILL_STALE_MINUTES = env.int("BACKFILL_STALE_MINUTES", default=30)
BACKFILL_MAX_RETRIES = env.int("BACKFILL_MAX_RETRIES", default=3)
# Synthetic works the daily retry asks the providers about, oldest try first.
BACKFILL_SYNTHETIC_RETRY_LIMIT = env.int("BACKFILL_SYNTHETIC_RETRY_LIMIT", default=200)

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions; a cookie that is no key Django made is no session (a NUL byte in
# a forged one made PostgreSQL refuse the lookup).
SESSION_ENGINE = "bookstore.session_store"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# TLS: off by default, because each needs a deployment that serves https (HSTS is remembered by
# browsers for SECURE_HSTS_SECONDS); the README's production example turns them all on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a proxy that terminates TLS: "HTTP_X_FORWARDED_PROTO,https". Trust it only when the
# proxy always sets (or strips) that header, or any client could claim https.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a header and a value, e.g. HTTP_X_FORWARDED_PROTO,https."
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None

# Load balancers probe /healthz over plain http, straight to gunicorn: it is never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGIN_URL = "admin:login"

# Each /healthz check (database, broker, storage) answers within this many seconds or fails.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=2.0)

# --- JSON API (/api/v1/, Django REST framework) ---------------------------------------------
# Requests per user (an anonymous request is refused before it counts): "600/min", "20/s".
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
# The most work ids one enrichment/status or enrichment/trigger call may name.
API_MAX_WORK_IDS = env.int("API_MAX_WORK_IDS", default=500)
REST_FRAMEWORK = {
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bookstore.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["bookstore.api_throttle.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "bookstore.api_parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "bookstore.api.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "bookstore.api_negotiation.ContentNegotiation",
    "DEFAULT_METADATA_CLASS": "bookstore.api_metadata.Metadata",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bookstore API",
    "DESCRIPTION": "Enrichment status and actions, imports and works of the bookstore catalog.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its page ask for a user like every endpoint (anonymous: 401).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The errors any endpoint may answer (429, 413, 415) documented on each: the served schema
    # and `manage.py spectacular` alike.
    "DEFAULT_GENERATOR_CLASS": "bookstore.api_schema.ApiSchemaGenerator",
    # An id in an address (bookstore.api_ids.IdConverter): an integer, as `<int:…>` was.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named once each: several fields share a name ("format", "status") but not
    # their choices, and the schema's enums must not be named by chance.
    "ENUM_NAME_OVERRIDES": {
        "ImportFormatEnum": "catalog.models.ImportJob.Format",
        "ImportJobStatusEnum": "catalog.models.ImportJob.Status",
        "ImportFileStatusEnum": "catalog.models.ImportJob.FileStatus",
        "ImportRowStatusEnum": "catalog.models.ImportRow.Status",
        "ImportRowMatchedByEnum": "catalog.models.ImportRow.MatchedBy",
        "EditionFormatEnum": "catalog.models.Edition.Format",
        "CreditRoleEnum": "catalog.models.WorkAuthor.Role",
        "EnrichmentStatusEnum": "catalog.models.EnrichmentStatus",
        "EnrichmentRequestStatusEnum": "enrichment.models.EnrichmentRequest.Status",
        "EnrichmentConfidenceEnum": "enrichment.models.EnrichmentRequest.Confidence",
        "EnrichmentTriggerEnum": "enrichment.models.EnrichmentRequest.Trigger",
        "CoverDownloadStatusEnum": "enrichment.models.EnrichmentRequest.CoverStatus",
        "BulkOperationActionEnum": "enrichment.models.BulkOperation.Action",
        "BulkOperationStatusEnum": "enrichment.models.BulkOperation.Status",
    },
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    # The API throttle counts here, shared by every web process; without it, in the database
    # (bookstore.api_throttle), never in one process's memory (each gunicorn worker its own).
    CACHES["api_throttle"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }

# `make demo` sets it: every admin page says that its data comes from a local demo provider.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

# "plain" lines for a terminal, or "json": one object per line with the request, work and
# provider they concern (bookstore.json_logs), for a collector reading several machines.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain").strip().lower()
if LOG_FORMAT == "text":  # the name the design notes use
    LOG_FORMAT = "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "bookstore.json_logs.JsonFormatter"},
    },
    "filters": {"log_context": {"()": "bookstore.log_context.ContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["log_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
