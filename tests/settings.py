"""Settings for the test suite: the project's settings with a fixed test key.

DATABASE_URL still chooses the server (the embedded one when unset).
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)

from config.settings import *  # noqa: F403 (these settings extend the project's)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation in tests
# The test client speaks plain http; everything else stays as in production.
SECURE_SSL_REDIRECT = False
# Tests don't run collectstatic; the manifest storage production uses needs it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True  # serve app static files straight from their apps
# Export files of the test databases in a directory of this run's own.
EXPORT_ROOT = tempfile.mkdtemp(prefix="sdb-test-exports-")
