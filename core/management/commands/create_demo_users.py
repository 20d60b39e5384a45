import hashlib
import hmac

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.roles import role_user

DEMO_USERS = ("curator", "reviewer", "auditor", "admin")


def demo_password(username):
    """Stable for this checkout (derived from its local secret key), unguessable elsewhere."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-user:{username}".encode(), hashlib.sha256)
    return f"{username}-{digest.hexdigest()[:12]}"


class Command(BaseCommand):
    help = "Create the demo users curator, reviewer, auditor and admin (embedded database with DEBUG on only)."

    def handle(self, *args, **options):
        if not settings.EMBEDDED_DATABASE or not settings.DEBUG:
            raise CommandError(
                "Demo users are only created on a development machine: the embedded database "
                "(DATABASE_URL unset) with DEBUG=1."
            )
        self.stdout.write("Demo users (log in at http://127.0.0.1:8000/admin/):")
        for username in DEMO_USERS:
            user = role_user(username, role=username)
            user.is_staff = True
            user.is_active = True
            user.is_superuser = username == "admin"
            user.set_password(demo_password(username))
            user.save()
            self.stdout.write(f"  {username:<9} password: {demo_password(username)}")
