from django.conf import settings
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from core.management.progress import ProgressCommand
from screening import services

DEFAULT_SOURCE = "screening.sources.published_records"


class Command(ProgressCommand):
    help = (
        "Rebuild the match index from scratch in one transaction, from a source of entity records "
        f"(default: setting SCREENING_RECORD_SOURCE, else {DEFAULT_SOURCE})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            help="dotted path of a callable returning an iterable of EntityRecord (default: the published entities; "
            "screening.sources.write_model_records indexes every live write-model entity, for development)",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per COPY batch (default 5000)")
        super().add_arguments(parser)  # --no-progress

    def handle(self, *args, source=None, batch_size=5000, no_progress=False, **options):
        path = source or getattr(settings, "SCREENING_RECORD_SOURCE", DEFAULT_SOURCE)
        try:
            factory = import_string(path)
        except ImportError as exc:
            raise CommandError(f"--source {path}: {exc}") from exc
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ending, self.stderr.ending = self.stderr.ending, ""  # the progress bar writes its own line ends
        try:
            count = services.rebuild(factory(), progress=not no_progress, batch_size=batch_size, file=self.stderr)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        finally:
            self.stderr.ending = ending
        self.stdout.write(self.style.SUCCESS(f"Match index rebuilt: {count} entities from {path}."))
