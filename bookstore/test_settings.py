"""Settings for the test suite: the real settings with a test key and fast password hashing.

The suite runs with DEBUG off, as production does, so it needs a SECRET_KEY of its own.
"""

import os

# Strong enough for DEBUG off (settings refuse a weak key); subprocesses inherit it.
os.environ.setdefault(
    "SECRET_KEY", "bookstore-test-suite-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
)

from bookstore.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tests run without collectstatic: static files as they are, found by WhiteNoise in the apps.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
