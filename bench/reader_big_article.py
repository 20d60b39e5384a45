"""Time the source reader on a ~1 MB article (not a test).

    DATABASE_URL=postgres://.../db SECRET_KEY=... DEBUG=1 ALLOWED_HOSTS=testserver \\
        .venv/bin/python bench/reader_big_article.py [--chars 1000000] [--part 1]

Uses the configured database, which must hold the published seed corpus
(``manage.py load_seed_corpus``): the article is the seed articles repeated to the
size asked (so it names published entities throughout), added once as a source titled
"Big article (bench)". Prints, for two GETs of the reader (the second warm), the
seconds, the HTML size and the number of queries; then the time of a cite in that part
(Mohammad Hossein Bagheri's name cited for his entity), which answers with the part drawn
anew, as the reader's script asks.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1_000_000)
    parser.add_argument("--part", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from sources.models import Source

    title = f"Big article (bench, {args.chars} chars)"
    src = Source.objects.filter(title=title).first()
    if src is None:
        texts = [s.text for s in Source.objects.filter(supersedes__isnull=True).order_by("pk")]
        body, i = [], 0
        while sum(len(t) + 2 for t in body) < args.chars:
            body.append(texts[i % len(texts)])
            i += 1
        src = Source.objects.create(text="\n\n".join(body), title=title, language="en")
    user, _ = User.objects.get_or_create(username="bench-curator", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="curator"))
    client = Client()
    client.force_login(user)
    url = reverse("admin:sources_source_read", args=[src.pk]) + f"?part={args.part}"
    print(f"article: {len(src.text):,} characters")
    for run in ("cold", "warm"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_X_FORWARDED_PROTO="https")
        seconds = time.perf_counter() - started
        print(
            f"{run}: {seconds:.2f} s, status {response.status_code}, "
            f"{len(response.content) / 1e6:.1f} MB of HTML, {len(queries)} queries"
        )

    from entities.models import Entity

    phrase = "Mohammad Hossein Bagheri"
    bagheri = Entity.objects.filter(names__value=phrase).first()
    lo = 0 if args.part == 1 else None
    at = src.text.find(phrase) if lo == 0 else -1
    if bagheri is None or at == -1:
        print("cite: not measured (part 1 only, and the seed corpus's Bagheri is needed)")
        return
    utf16 = len(src.text[:at].encode("utf-16-le")) // 2
    data = {
        "start_utf16": utf16,
        "end_utf16": utf16 + len(phrase),
        "quote": phrase,
        "text_sha256": src.text_sha256,
        "claim": str(bagheri.pk),
    }
    cite = reverse("admin:sources_source_cite", args=[src.pk])
    for run in ("first", "again"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(cite, data, HTTP_X_FORWARDED_PROTO="https")
        seconds = time.perf_counter() - started
        print(
            f"cite ({run}): {seconds:.2f} s, status {response.status_code}, "
            f"{len(response.content) / 1e6:.1f} MB of JSON, {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
