from django.core.management.base import BaseCommand, CommandError

from corpus.loader import CorpusError, Loader


class Command(BaseCommand):
    help = "Load the curated seed corpus (corpus/data/corpus.yaml) idempotently, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="corpus YAML file (default: corpus/data/corpus.yaml)")
        parser.add_argument("--curator", default="curator", help="account that makes and submits the edits")
        parser.add_argument("--reviewer", default="reviewer", help="account that approves them (not the curator)")

    def handle(self, *args, **options):
        try:
            stats = Loader(options["file"], curator=options["curator"], reviewer=options["reviewer"]).load()
        except CorpusError as exc:
            raise CommandError(str(exc)) from None
        if not stats.changed:
            self.stdout.write("Seed corpus already loaded: nothing changed.")
            return
        for label, bucket in (("created", stats.created), ("updated", stats.updated)):
            if bucket:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(bucket.items()))
                self.stdout.write(f"{label}: {parts}")
        cs = stats.change_set
        if cs is not None:
            cs.refresh_from_db()
            published = cs.published_versions.count()
            self.stdout.write(
                f"change set #{cs.pk}: submitted by {cs.submitted_by}, approved by {cs.approved_by}; "
                f"{published} record versions published"
            )
        self.stdout.write(self.style.SUCCESS("Seed corpus loaded."))
