"""Recompute every source's SHA-256 and check every citation's quote, prefix and suffix
against its span. Prints each problem; exits 1 when there is any."""

import sys

from django.core.management.base import CommandError
from tqdm import tqdm

from core.management.progress import ProgressCommand
from sources.integrity import verify


class Command(ProgressCommand):
    help = __doc__

    def handle(self, *args, no_progress=False, **options):
        bars = {}

        def progress(table, done, total):
            if no_progress:
                return
            if table not in bars:  # sources and citations advance together, batch by batch
                label = "sources" if table == "sources_source" else "citations"
                bars[table] = tqdm(
                    total=total, desc=f"checking {label}", unit=" rows", file=sys.stderr, position=len(bars)
                )
            bars[table].update(done)

        problems = 0
        for problem in verify(progress):
            problems += 1
            self.stdout.write(str(problem))
        for bar in bars.values():
            bar.close()
        if problems:
            raise CommandError(f"{problems} provenance problem(s) found.")
        self.stdout.write(self.style.SUCCESS("Provenance verified: every source hash and citation quote matches."))
