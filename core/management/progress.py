"""What the project's long-running management commands share: progress bars on stderr
that ``--no-progress`` turns off (scripts, benchmarks and logs pass it)."""

from django.core.management.base import BaseCommand


class ProgressCommand(BaseCommand):
    """A command whose ``handle`` gets ``no_progress``. A subclass with arguments of its
    own adds them, then calls ``super().add_arguments(parser)`` (listed last in --help)."""

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
