from django.db import models
from django.utils import timezone


class LoginFailure(models.Model):
    """A failed admin login, kept for LOGIN_FAILURE_WINDOW seconds so that repeated
    guessing of one account's password from one address is refused (core.login)."""

    username = models.CharField(max_length=150)
    # REMOTE_ADDR as given (empty behind a unix socket), so not an IP address field.
    ip = models.CharField(max_length=45, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"]), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.username} from {self.ip or '?'} at {self.at:%Y-%m-%d %H:%M:%S}"
