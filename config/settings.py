"""Settings, read strictly from the environment (see README, "Configuration")."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core.env import database_from_url, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

_database_url = env_str("DATABASE_URL")
EMBEDDED_DATABASE = not _database_url

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED_DATABASE:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    # A developer's machine (embedded database): a random key kept under var/.
    from core.embedded_db import local_secret_key

    SECRET_KEY = local_secret_key()
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

if EMBEDDED_DATABASE:
    from core.embedded_db import database_url

    _database_url = database_url()
DATABASES = {"default": database_from_url("DATABASE_URL", _database_url)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
# A connection broken by a database restart is noticed at the start of the next
# request and replaced, so the app recovers without a restart of its own.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An unreachable server fails a request (and /readyz) within seconds rather than hanging.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "sources",
    "entities",
    "sanctions",
    "corpus",
    "publishing",
    "screening",
    "partners",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",  # first: every response gets an id and a log line
    "core.health.HealthCheckMiddleware",  # before host and HTTPS checks: probes call http://127.0.0.1
    "core.hygiene.RequestHygieneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestHistoryMiddleware",
    "partners.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                # The banner of change sets a reviewer sent back (publishing.notices).
                "publishing.notices.returned_change_sets",
                "publishing.notices.open_change_set",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest request body, in bytes: 2.5 MB (Django's default) caps what one request
# can make the server hold; core/hygiene.py answers 413 past it, before reading it.
REQUEST_BODY_MAX_BYTES = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Article text is pasted into the admin's source form. Its limit is in characters and
# checked by the form (a field error, the page shown again with all that was typed), so
# the form's posts may be larger than REQUEST_BODY_MAX_BYTES: enough for a text somewhat
# over SOURCE_TEXT_MAX_CHARS, percent-encoded by the browser. Past that, a 413 page.
SOURCE_TEXT_MAX_CHARS = env_int("SOURCE_TEXT_MAX_CHARS", 2_000_000)
LARGE_BODY_MAX_BYTES = env_int("LARGE_BODY_MAX_BYTES", 16 * 1024 * 1024)
LARGE_BODY_PATHS = [r"^/admin/sources/source/(?:add|[^/]+/change)/$"]  # the source form's
# Django's own check, when a view reads the body, is the larger of the two: the hygiene
# middleware has already held each path to its own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(REQUEST_BODY_MAX_BYTES, LARGE_BODY_MAX_BYTES)
# Article import from a URL (sources.importing): the server fetches public addresses
# only; set to 1 where curators import from an intranet.
ARTICLE_FETCH_ALLOW_PRIVATE = env_bool("ARTICLE_FETCH_ALLOW_PRIVATE", False)

# The partner API (partners/ owns access; each app's api.py its endpoints).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.auth.ApiKeyAuthentication",  # first: its challenge makes anonymous calls 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partners.auth.PartnerOrStaff"],
    "DEFAULT_THROTTLE_CLASSES": [
        "partners.throttling.ApiKeyRateThrottle",
        "partners.throttling.RequestCostThrottle",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# Requests per minute per API key unless the key says otherwise.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
# API requests without a valid key per client address per minute answered 401 (and
# logged one by one); more are answered 429 and only counted (partners.middleware).
API_AUTH_FAILURE_LIMIT = env_int("API_AUTH_FAILURE_LIMIT", 30)
# match/: the words of all the names in one request, the measure of the work it asks for
# (~0.6 ms per word of common name parts at 2,000 entities): larger requests get a 400.
MATCH_MAX_WORDS = env_int("MATCH_MAX_WORDS", 1000)
# ... and per key and minute (partners.throttling.RequestCostThrottle): ~6 s of a worker.
MATCH_WORDS_PER_MINUTE = env_int("MATCH_WORDS_PER_MINUTE", 10_000)
# Export files, written once per publication and served from here (publishing/exports/files.py).
EXPORT_ROOT = env_str("EXPORT_ROOT", str(BASE_DIR / "var" / "exports"))
# Export downloads one API key may have in progress at once (429 beyond).
EXPORT_DOWNLOADS_PER_KEY = env_int("EXPORT_DOWNLOADS_PER_KEY", 2)

SPECTACULAR_SETTINGS = {
    "TITLE": "Sanctions & entities: partner API",
    "DESCRIPTION": (
        "Published, reviewed data only: entities, sanction actions and the sources their claims cite, "
        "each claim with its citations (source, code-point offsets, quote). Authenticate with "
        "`Authorization: Bearer <API key>`. Lists are cursor-paginated (`limit` ≤ 500, follow `next`); "
        "`changes/` is the ordered change feed; `exports/` stream everything; `match/` screens names."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "AUTHENTICATION_WHITELIST": ["partners.auth.ApiKeyAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.schema.add_common_errors",
        "partners.schema.add_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "entities.models.Entity.Kind",
        "RecordTypeEnum": "publishing.models.PARTNER_RECORD_TYPES",
        "SanctionKindEnum": "sanctions.models.SanctionAction.Kind",
        "NameTypeEnum": "entities.models.Name.Type",
        "RelationshipKindEnum": "entities.models.Relationship.Kind",
        "SanctionStatusEnum": "sanctions.models.SanctionAction.Status",
        "MeasureEnum": "sanctions.models.SanctionTarget.Measure",
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Scripts and styles come from static files only: no inline script or style anywhere
# (the admin's own templates have none either), no plugins, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Directory of the PostgreSQL client programs backup_database and restore_database run
# (pg_dump, pg_restore); unset: those of the pgserver package (PostgreSQL 16).
PG_BIN = env_str("PG_BIN", "")

# Admin login throttling (core.login): this many failures for one username from one
# address within the window lock that pair out until the oldest failure leaves it.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900)

# One line per log record on stderr: JSON objects in production (LOG_FORMAT=json, the
# default when DEBUG is off), readable text in development. Every record written while
# a request is served carries its request id (core.logs, core.middleware).
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "text"), default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}, "text": {"()": "core.logs.TextFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# Audit history of the write model: PostgreSQL triggers record every insert, update
# and delete (bulk writes and raw SQL too) into append-only event tables, with the
# context (user, request id, url, reason) set by core.middleware and the services.
# Which models are tracked, and how: core.history.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_ADMIN_ALL_EVENTS = False
