"""Sessions in the database, as Django keeps them, reading a session cookie that cannot be a key
Django made (its keys are lowercase letters and digits) as no session: a forged one holding a
NUL byte was looked up, and PostgreSQL refuses NUL in text (a 500 on every page and endpoint)."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        # Django's own check (django-stubs do not declare it): a truthy key of 8 characters or more.
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return valid and all(c in VALID_KEY_CHARS for c in key)
