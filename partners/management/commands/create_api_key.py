from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key for a partner and print it (once: only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner (and system) the key is for.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Default: never expires.")
        parser.add_argument(
            "--rate-limit", type=int, default=None, help="Requests per minute (default: API_RATE_LIMIT)."
        )

    def handle(self, name, expires_in_days, rate_limit, **options):
        name = name.strip()
        if not name:
            raise CommandError("name: give the partner's name.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days: must be at least 1.")
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit: must be at least 1.")
        expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        key, plain = ApiKey.objects.create_key(name, expires_at=expires, rate_limit=rate_limit)
        self.stderr.write(
            f"API key {key.prefix}… for {key.name!r}"
            + (f", expires {expires:%Y-%m-%d %H:%M} UTC" if expires else ", no expiry")
            + f", {key.rate_limit} requests/minute. It is shown only now; store it safely:"
        )
        self.stdout.write(plain)
