"""Screening on real sanctions data (not a test).

    .venv/bin/python bench/screening_real.py [--negatives 2000]

Reads ../shared/data/external/ in place (nothing is copied into the project):
* uk-ofsi/nadya-soto-2025/UK_Sanctions_List.xlsx.converted.csv (UK OFSI consolidated
  list of 10/04/2025, OGL v3.0): every individual and entity goes into the match index
  with its Latin-script names only (primary, variations and AKAs as aliases, low-quality
  AKAs as weak aliases, FKAs as previous names) and its birth date;
* queries, each with the entity it should find:
  - the list's own non-Latin spellings (Cyrillic, Arabic, Persian, Chinese, Georgian...):
    cross-script recall on real names;
  - primary names as "FAMILY, Given" with a title in front;
  - yente's UN-list persons with typos and reorderings (positives_un_treated.csv), for
    the rows whose untreated name the index finds exactly;
* yente's synthetic non-listed persons (negatives_global.csv), with their birth dates:
  how many of them would be reported as matches (some may be real namesakes).

It REPLACES the match index of the configured database; run
``manage.py rebuild_match_index`` afterwards.
"""

import argparse
import csv
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DATA = ROOT.parent / "shared" / "data" / "external"
UK = DATA / "uk-ofsi" / "nadya-soto-2025" / "UK_Sanctions_List.xlsx.converted.csv"
YENTE = DATA / "name-matching" / "yente-candidate_generation"


def uk_date(value):
    """dd/mm/yyyy with 00 for unknown parts → partial ISO date."""
    parts = value.strip().split("/")
    if len(parts) != 3 or not parts[2].isdigit() or parts[2] == "0000":
        return ""
    day, month, year = parts
    if month in ("00", ""):
        return year
    if day in ("00", ""):
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def load_uk():
    from core.names import scripts
    from screening.records import EntityRecord, NameRecord

    with UK.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    header, rows = rows[0], rows[1:]
    ix = {k: i for i, k in enumerate(header)}
    groups = defaultdict(list)
    for row in rows:
        if row[ix["Group Type"]] in ("Individual", "Entity"):
            groups[row[ix["Group ID"]]].append(row)
    records, cross_script, reordered = [], [], []
    for group_id, grows in groups.items():
        kind = "person" if grows[0][ix["Group Type"]] == "Individual" else "organisation"
        names, dates = {}, []
        for row in grows:
            given = " ".join(row[ix[f"Name {i}"]] for i in range(1, 6) if row[ix[f"Name {i}"]].strip())
            family = row[ix["Name 6"]].strip()
            value = " ".join(p for p in (given, family) if p)
            alias_type, quality = row[ix["Alias Type"]], row[ix["Alias Quality"]]
            name_type = {"Primary name": "primary", "FKA": "previous"}.get(alias_type, "alias")
            if quality == "Low quality":
                name_type = "weak_alias"
            if value and (value not in names or name_type == "primary"):
                names[value] = name_type
            if alias_type == "Primary name" and kind == "person" and given and family:
                reordered.append((f"Mr {family}, {given}", f"uk-{group_id}", "title + FAMILY, Given"))
            non_latin = row[ix["Name Non-Latin Script"]].strip()
            if non_latin:
                script = "+".join(sorted(scripts(non_latin) - {"Latin"})) or "Latin (diacritics)"
                cross_script.append((non_latin, f"uk-{group_id}", f"{kind}, {script}"))
            if row[ix["DOB"]].strip():
                dates.append(uk_date(row[ix["DOB"]]))
        if not names:
            continue
        dates = [d for d in dates if d]
        records.append(
            EntityRecord(
                f"uk-{group_id}",
                kind,
                [NameRecord(v, t, "") for v, t in names.items()],
                birth_date=dates[0] if len(set(dates)) == 1 else "",
            )
        )
    return records, sorted(set(cross_script)), sorted(set(reordered))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--negatives", type=int, default=2000)
    args = parser.parse_args()
    if not UK.exists():
        sys.exit(f"{UK} is absent: nothing to measure.")

    import django

    django.setup()
    from screening.records import Query
    from screening.services import match, rebuild

    records, cross_script, reordered = load_uk()
    started = time.perf_counter()
    rebuild(records, progress=False)
    print(
        f"UK OFSI list 10/04/2025: {len(records)} entities, {sum(len(r.names) for r in records)} Latin names "
        f"indexed in {time.perf_counter() - started:.1f} s"
    )

    timings = []

    def run(query):
        t = time.perf_counter()
        results = match(query)
        timings.append((time.perf_counter() - t) * 1000)
        return results

    def recall(label, cases):
        stats = defaultdict(Counter)
        for name, expected, kind in cases:
            results = run(Query(name))
            top = results[0].score if results else 0
            first = any(r.entity_id == expected and r.score == top for r in results)
            matched = any(r.entity_id == expected and r.match for r in results)
            if not first and os.environ.get("BENCH_SHOW_MISSES"):
                print("  miss:", kind, repr(name), expected, [(r.entity_id, r.name, r.score) for r in results[:2]])
            for key in (kind, "all"):
                stats[key]["n"] += 1
                stats[key]["first"] += first
                stats[key]["match"] += matched
        print(f"{label}:")
        for kind, s in sorted(stats.items(), key=lambda kv: -kv[1]["n"]):
            print(
                f"  {kind:28} {s['n']:5}  ranked first (or tied) {s['first'] / s['n']:6.1%}   "
                f"found as a match (>= 0.7) {s['match'] / s['n']:6.1%}"
            )

    recall(
        "cross-script queries (the list's own non-Latin spellings, Latin names indexed; organisation names "
        "in Russian are mostly translations, not transliterations, of the English ones)",
        cross_script,
    )
    recall("reordered queries (title + FAMILY, Given)", reordered)

    untreated, treated = YENTE / "positives_un_untreated.csv", YENTE / "positives_un_treated.csv"
    if untreated.exists() and treated.exists():
        with untreated.open(encoding="utf-8") as a, treated.open(encoding="utf-8") as b:
            pairs = [
                (u["full_name"], t["full_name"])
                for u, t in zip(csv.DictReader(a), csv.DictReader(b), strict=True)
                if u["full_name"] and t["full_name"] and u["full_name"] != t["full_name"]
            ]
        cases = []
        for clean, noisy in pairs:
            results = match(Query(clean), limit=1)
            if results and results[0].score == 1.0:
                cases.append((noisy, results[0].entity_id, "UN person, typos/reordering"))
        print(f"  ({len(cases)} of {len(pairs)} altered UN-list names have an exact twin in the UK list)")
        recall("yente UN positives, altered (treated) names", cases)

    negatives = YENTE / "negatives_global.csv"
    if negatives.exists():
        with negatives.open(encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["full_name"]]
        rows = random.Random(5).sample(rows, min(args.negatives, len(rows)))
        with_date = without_date = 0
        for r in rows:
            birth = r["date_of_birth"] if len(r["date_of_birth"]) in (4, 7, 10) else ""
            without_date += any(x.match for x in run(Query(r["full_name"])))
            with_date += any(x.match for x in run(Query(r["full_name"], birth_date=birth)))
        print(
            f"yente synthetic non-listed persons ({len(rows)}): reported as a match {without_date / len(rows):.1%} "
            f"by name alone, {with_date / len(rows):.1%} with their birth date (some may be real namesakes)"
        )

    print(
        f"latency over {len(timings)} queries at N={len(records)}: p50 {percentile(timings, 50):.1f} ms, "
        f"p95 {percentile(timings, 95):.1f} ms, mean {statistics.mean(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
