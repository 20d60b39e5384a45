"""Admin login throttling: after LOGIN_FAILURE_LIMIT failed logins for one username
from one address within LOGIN_FAILURE_WINDOW seconds, further attempts for that pair
are refused (429, with the wait in the form and in Retry-After) without checking the
password, until the oldest of those failures is older than the window.

Failures are rows of core.LoginFailure, so every worker process sees them and nothing
beyond PostgreSQL is needed. Attempts for one pair are serialised by an advisory lock,
so parallel guesses can't all slip under the limit.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from .models import LoginFailure


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or ""


def _hold(username, ip):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"login:{username}\n{ip}"])


def seconds_locked(username, ip):
    """How long (username, ip) must wait before its next attempt; 0: it may try now."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    recent = list(
        LoginFailure.objects.filter(username=username, ip=ip, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
    )
    if len(recent) < settings.LOGIN_FAILURE_LIMIT:
        return 0
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def record_failure(username, ip):
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)).delete()
    LoginFailure.objects.create(username=username, ip=ip, at=now)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed logins for this username from your address. Try again in %(minutes)d minute(s).",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "")[:150]
        if not username or self.cleaned_data.get("password") is None:
            return super().clean()  # a missing field: no password was checked
        ip = client_ip(self.request)
        error = None
        with transaction.atomic():
            _hold(username, ip)
            wait = seconds_locked(username, ip)
            if not wait:
                try:
                    super().clean()
                except ValidationError as exc:
                    error = exc
                    record_failure(username, ip)
                else:
                    LoginFailure.objects.filter(username=username, ip=ip).delete()
        if wait:
            self.request.login_retry_after = wait
            raise ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": math.ceil(wait / 60)}
            )
        if error is not None:
            raise error
        return self.cleaned_data


def admin_login(request, extra_context=None):
    """The admin's login view, answering 429 with Retry-After while throttled."""
    response = admin.site.login(request, extra_context)
    wait = getattr(request, "login_retry_after", None)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response
