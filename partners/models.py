"""API keys of partner systems, their usage counters and the access log.

A key is shown once, when made, and stored only as its SHA-256: keys are 192-bit
random tokens, so a fast hash is enough (nothing to brute-force), and lookup is by the
visible prefix. The access log is what an auditor queries: who called what, when, with
which outcome.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "sdb"

# The secret part of a key ("sdb_1a2b3c4d_<secret>"): what logs must never show
# (core.logs.redact, registered in apps.py). The prefix stays, to tell which key it was.
KEY_SECRET_PATTERN = rf"(?<={KEY_PREFIX}_[0-9a-f]{{8}}_)[A-Za-z0-9_-]+"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_key(key: str):
    """'sdb_<prefix>_<secret>' → the lookup prefix 'sdb_<prefix>', or None if malformed."""
    parts = key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or len(parts[2]) < 32:
        return None
    return f"{parts[0]}_{parts[1]}"


def default_rate_limit():
    return settings.API_RATE_LIMIT


class ApiKeyQuerySet(models.QuerySet):
    def create_key(self, name, created_by=None, expires_at=None, rate_limit=None):
        """Make a key; returns (ApiKey, the plain key). The plain key is not kept."""
        prefix = f"{KEY_PREFIX}_{secrets.token_hex(4)}"
        plain = f"{prefix}_{secrets.token_urlsafe(24)}"
        key = self.create(
            name=name,
            prefix=prefix,
            key_hash=hash_key(plain),
            created_by=created_by,
            expires_at=expires_at,
            rate_limit=rate_limit or default_rate_limit(),
        )
        return key, plain


class ApiKey(models.Model):
    name = models.CharField(max_length=200, help_text="The partner (and system) this key is for.")
    prefix = models.CharField(max_length=12, unique=True, editable=False, help_text="Visible part of the key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    rate_limit = models.PositiveIntegerField(
        default=default_rate_limit, help_text="Requests per minute; more are answered 429 with Retry-After."
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["name", "created_at"]
        permissions = [("revoke_apikey", "Can revoke API keys")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def matches(self, plain: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_key(plain))

    def refusal(self, now=None):
        """Why this key can't be used now, or None."""
        now = now or timezone.now()
        if self.revoked_at:
            return "This API key was revoked."
        if self.expires_at and self.expires_at <= now:
            return "This API key has expired."
        return None

    @property
    def state(self):
        return "revoked" if self.revoked_at else "expired" if self.refusal() else "active"


class KeyUsage(models.Model):
    """Requests per key per minute window: one row upserted per request, shared by
    every worker process (no cache server needed)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0, db_default=0)
    # match/: words of names screened (partners.throttling.RequestCostThrottle)
    match_words = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="key_usage_once")]


class AuthFailure(models.Model):
    """API requests refused for want of a valid key, per client address per minute.
    The first few of a minute also get access-log rows; the count keeps the rest
    (partners.middleware), so a flood of bogus keys can't grow the log without bound."""

    remote_addr = models.CharField(max_length=45, help_text="REMOTE_ADDR: behind a proxy, the proxy's.")
    window = models.DateTimeField(help_text="The minute the failures fell in.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "failed authentication"
        ordering = ["-window", "remote_addr"]
        constraints = [models.UniqueConstraint(fields=["remote_addr", "window"], name="auth_failure_once")]

    def __str__(self):
        return f"{self.window:%Y-%m-%d %H:%M} {self.remote_addr}: {self.count}"


class AccessLogEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A staff user browsing the API with a session.",
    )
    method = models.CharField(max_length=10)
    path = models.CharField(
        max_length=2000, help_text="With the query string; values other than the endpoint's filters redacted."
    )
    endpoint = models.CharField(max_length=100, blank=True, help_text="The URL pattern's name.")
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(help_text="Until the response (first bytes of a streamed export).")
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key", "-at"], name="access_by_key")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} → {self.status}"
