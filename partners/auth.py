"""Who is calling: a partner's API key (``Authorization: Bearer <key>``) or a staff
user's admin session (the browsable API). Everything else is refused on the server."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .models import ApiKey, split_key

# last_used_at is written at most this often per key: a timestamp, not an access log.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, plain = header.partition(" ")
        if scheme.lower() != "bearer":
            raise exceptions.AuthenticationFailed(_("Use 'Authorization: Bearer <API key>'."))
        plain = plain.strip()
        prefix = split_key(plain)
        key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
        if key is None or not key.matches(plain):
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        refusal = key.refusal()
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return (PartnerUser(key), key)

    def authenticate_header(self, request):
        # Makes unauthenticated requests 401 (with this challenge) rather than 403.
        return f'{self.keyword} realm="api"'


class PartnerUser:
    """request.user for a partner key: not a Django user, never staff."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, key):
        self.key = key
        self.username = f"api-key:{key.prefix}"

    def __str__(self):
        return self.username

    def has_perm(self, perm, obj=None):
        return False


class PartnerOrStaff(permissions.BasePermission):
    """A valid partner key, or an active staff user's session."""

    message = _("An API key (Authorization: Bearer <key>) or a staff session is required.")

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)
