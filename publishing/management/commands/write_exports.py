"""Write the export files for the latest publication (each is otherwise written by the
first request for it after a publication): run it after approving, so no partner waits."""

from django.core.management.base import BaseCommand

from publishing.exports import files


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        for filename, path, size in files.write_all():
            self.stdout.write(f"{filename}: {size:,} bytes, {path}")
