"""Real data for the benchmark: the OFAC SDN list, published and screened (not a test).

    DATABASE_URL=... .venv/bin/python bench/ofac_sdn.py [--dir DIR] [--queries 2000]

Reads the coherent legacy-CSV set of July 2021 in ../shared/data/external/ofac-sdn/
(sdn.csv and alt.csv, US Government work, public domain; read in place, nothing is
copied) into the configured database through the same bulk path as ``generate_dataset``
(``corpus.bulk``: COPY into the write model, then change sets submitted by a curator and
approved by a reviewer). Each list entry becomes a source whose text is the entry's own
lines of the list; its names (the SDN name, a.k.a.s as aliases, f.k.a.s as previous
names) are cited at their exact offsets there, and a designation by OFAC under the
entry's first programme targets it. Individuals become persons (birth date and gender
from the remarks), entities organisations; vessels and aircraft are left out.

Then rebuilds the match index and screens real names: every alias and, for persons,
"Given FAMILY" for the list's "FAMILY, Given", each expected to find its entry. Prints
a JSON object as its last line (what ``bench/run.py`` reads); exits 0 with
{"skipped": ...} when the data is absent.
"""

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DATA = ROOT.parent / "shared" / "data" / "external" / "ofac-sdn" / "watchman-bench-2021-07"
AUTHORITY = "Office of Foreign Assets Control"
NULL = "-0-"
MONTHS = {
    m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}
DOB = re.compile(r"\bDOB (?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})\b")
GENDER = re.compile(r"\bGender (Male|Female)\b")
BATCH = 5000  # list entries per change set


def _lines(path):
    """(fields, raw line) per record of a legacy OFAC CSV (no header, CRLF, 0x1A at the end)."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").rstrip("\x1a\n")
    for line in text.split("\n"):
        if line.strip():
            yield next(csv.reader([line])), line


def _value(field):
    field = field.strip()
    return "" if field == NULL else field


def _birth_date(remarks):
    match = DOB.search(remarks)
    if not match:
        return ""
    day, month, year = match.groups()
    if month not in MONTHS:
        return year
    return f"{year}-{MONTHS[month]:02d}" + (f"-{int(day):02d}" if day else "")


def read_list(directory):
    """The entries as ``corpus.synthetic.Article``s, and the programme codes they use."""
    from core.ids import derived_public_id
    from corpus.synthetic import ActionDraft, Article, EntityDraft, NameDraft, TargetDraft
    from sources.text import normalise

    aliases = {}
    for fields, line in _lines(directory / "alt.csv"):
        aliases.setdefault(fields[0], []).append((fields, line))
    articles, programmes = [], set()
    for fields, line in _lines(directory / "sdn.csv"):
        ent_num, name, sdn_type, program, title = fields[0], fields[1], _value(fields[2]), _value(fields[3]), fields[4]
        if sdn_type not in ("individual", ""):
            continue  # vessels and aircraft
        kind = "person" if sdn_type == "individual" else "organisation"
        text_lines = [line] + [alt_line for _, alt_line in aliases.get(ent_num, [])]
        text = normalise("\n".join(text_lines))

        def span_of(value, line_start, line):
            """Where the value stands in its line (quoted, as the CSV writes it)."""
            at = line.find(f'"{value}"')
            at = at + 1 if at >= 0 else line.find(value)
            return None if at < 0 else (line_start + at, line_start + at + len(value))

        primary_span = span_of(name, 0, line)
        if primary_span is None:
            continue
        seen = set()
        names = []

        def add(value, name_type, span, seen=seen, names=names):  # this entry's sets
            value = normalise(" ".join(value.split()))
            if value and (value, name_type) not in seen:
                seen.add((value, name_type))
                names.append(NameDraft(value, name_type, "", span))

        add(name, "primary", primary_span)
        offset = len(line) + 1
        for alt_fields, alt_line in aliases.get(ent_num, []):
            alt_type, alt_name = alt_fields[2].strip(), alt_fields[3]
            span = span_of(alt_name, offset, alt_line) if _value(alt_name) else None
            if span:
                add(alt_name, "previous" if alt_type == "fka" else "alias", span)
            offset += len(alt_line) + 1
        remarks = _value(fields[11]) if len(fields) > 11 else ""
        entity = EntityDraft(derived_public_id("ent", f"ofac-sdn:{ent_num}"), kind, primary_span, names)
        if kind == "person":
            gender = GENDER.search(remarks)
            entity.details = {
                "title": _value(title)[:200],
                "gender": gender.group(1).lower() if gender else "",
                "birth_date": _birth_date(remarks),
                "nationalities": [],
            }
        else:
            entity.details = {"org_kind": "other", "countries": [], "parent": None}
        code = program.split("]")[0].strip("[ ") if program else ""
        programmes.add(code)
        program_span = span_of(program, 0, line) if program else None
        action = ActionDraft(
            public_id=derived_public_id("act", f"ofac-sdn:{ent_num}:designation"),
            authority=AUTHORITY,
            programme=code or None,
            kind="designation",
            status="in_force",
            announced_date="",
            in_force_date="",
            summary=f"OFAC lists {name} on the SDN list ({program or 'no programme given'}).",
            span=program_span or primary_span,
            targets=[TargetDraft(0, ["asset_freeze"], primary_span)],
        )
        articles.append(
            Article(
                public_id=derived_public_id("src", f"ofac-sdn:2021-07:{ent_num}"),
                title=f"OFAC SDN list, entry {ent_num} (July 2021)",
                language="en",
                published="2021-07",
                text=text,
                entities=[entity],
                action=action,
            )
        )
    return articles, sorted(p for p in programmes if p)


def queries(articles, rng, count):
    """(query, expected entity id): aliases, and persons' 'Given FAMILY' for 'FAMILY, Given'."""
    out = []
    for a in articles:
        e = a.entities[0]
        for n in e.names[1:]:
            out.append((n.value, e.public_id))
        primary = e.names[0].value
        if e.kind == "person" and ", " in primary:
            family, given = primary.split(", ", 1)
            out.append((f"{given} {family.title()}", e.public_id))
    rng.shuffle(out)
    return out[:count]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=DATA)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    if not (args.dir / "sdn.csv").exists():
        print(json.dumps({"skipped": f"{args.dir} is absent"}))
        return

    import django

    django.setup()
    from django.db import connection, transaction

    from bench.harness import percentile
    from core import history
    from core.roles import role_user
    from corpus import bulk
    from sanctions.models import Authority, Programme
    from screening import index
    from screening.records import Query
    from screening.services import match, rebuild
    from screening.sources import published_records

    started = time.perf_counter()
    articles, codes = read_list(args.dir)
    curator, reviewer = role_user("curator", "curator"), role_user("reviewer", "reviewer")
    authorities, programmes = bulk.reference_data()
    authority = Authority.objects.get(name=AUTHORITY)
    for code in codes:
        programme, _ = Programme.objects.get_or_create(authority=authority, name=code, defaults={"code": code})
        programmes[(AUTHORITY, code)] = programme.pk
    published = 0
    publish_seconds = 0.0
    for i in range(0, len(articles), BATCH):
        with transaction.atomic(), history.context(reason="OFAC SDN list (July 2021)", user=curator.pk):
            written = bulk.write(articles[i : i + BATCH], curator, authorities, programmes)
            t = time.perf_counter()
            bulk.publish(
                written.keys,
                curator,
                reviewer,
                title=f"OFAC SDN list (July 2021), entries {i + 1}–",
                comment="Loaded by bench/ofac_sdn.py.",
            )
        publish_seconds += time.perf_counter() - t
        published += written.entities
    loaded = time.perf_counter() - started

    # Publication indexed the names as it went; the full rebuild (as rebuild_match_index)
    # is timed here for the index build figure.
    t = time.perf_counter()
    rebuild(published_records(), progress=False)
    index_seconds = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s), (SELECT count(*) FROM {index.KEY_TABLE})",
            [index.ENTITY_TABLE, index.KEY_TABLE],
        )
        index_bytes, keys = cursor.fetchone()

    cases = queries(articles, random.Random(7), args.queries)
    for name, _ in cases[:50]:
        match(Query(name))  # warm up
    timings, first = [], 0
    for name, expected in cases:
        t = time.perf_counter()
        results = match(Query(name))
        timings.append((time.perf_counter() - t) * 1000)
        first += bool(results) and any(r.entity_id == expected and r.score == results[0].score for r in results)
    print(
        json.dumps(
            {
                "entries": len(articles),
                "entities_published": published,
                "load_seconds": round(loaded, 1),
                "publication_records_per_second": round(2 * published / publish_seconds) if publish_seconds else None,
                "index_seconds": round(index_seconds, 1),
                "index_bytes": index_bytes,
                "index_keys": keys,
                "queries": len(cases),
                "match_p50_ms": round(percentile(timings, 50), 2),
                "match_p95_ms": round(percentile(timings, 95), 2),
                "found_first": round(first / len(cases), 3) if cases else None,
            }
        )
    )


if __name__ == "__main__":
    main()
