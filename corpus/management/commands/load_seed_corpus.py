from django.core.management.base import BaseCommand, CommandError

from corpus.loader import CorpusError, Loader


class Command(BaseCommand):
    help = "Load the curated seed corpus (corpus/data/corpus.yaml) idempotently, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="corpus YAML file (default: corpus/data/corpus.yaml)")

    def handle(self, *args, **options):
        try:
            stats = Loader(options["file"]).load()
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
        if not stats.changed:
            self.stdout.write("Seed corpus already loaded: nothing changed.")
            return
        for label, bucket in (("created", stats.created), ("updated", stats.updated)):
            if bucket:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(bucket.items()))
                self.stdout.write(f"{label}: {parts}")
        self.stdout.write(self.style.SUCCESS("Seed corpus loaded."))
