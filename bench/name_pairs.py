"""Precision and recall of the name comparison on labelled pairs (not a test).

    .venv/bin/python bench/name_pairs.py [--threshold 0.7] [--errors]

Reads ../shared/data/external/name-matching/ (only what is there; nothing is copied):
* nomenklatura-name_bench/cases.csv: 826 labelled pairs (person, company, vessel...),
  compared with nomenklatura logic-v2's frozen run on the same pairs;
* watchman/cross_script_pairs.csv: Arabic/Cyrillic/CJK → Latin pairs (all positives);
* yente-candidate_generation/positives_un_{untreated,treated}.csv: 683 UN-list persons and
  the same rows with typos and reorderings (all positives; recall only).
Each pair is scored as a screening would: name 1 as the query, name 2 as a primary name.
"""

import argparse
import csv
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from screening.records import EntityRecord, Query  # noqa: E402 (after sys.path)
from screening.scoring import score  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "external" / "name-matching"
KINDS = {"Person": "person"}


def pair_score(name1, name2, kind=None):
    record = EntityRecord("x", kind or "organisation", [name2])
    return score(Query(name1, kind=kind), record).score


def report(label, rows, threshold, show_errors):
    counts = Counter()
    errors = []
    for name1, name2, truth, kind, extra in rows:
        s = pair_score(name1, name2, kind)
        predicted = s >= threshold
        outcome = {(True, True): "TP", (False, True): "FN", (True, False): "FP", (False, False): "TN"}[
            (predicted, truth)
        ]
        counts[outcome] += 1
        if outcome in ("FP", "FN"):
            errors.append((outcome, s, name1, name2, extra))
    tp, fp, fn = counts["TP"], counts["FP"], counts["FN"]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"{label}: {len(rows)} pairs  precision {precision:.3f}  recall {recall:.3f}  ({dict(counts)})")
    if show_errors:
        for e in sorted(errors):
            print("   ", e[0], f"{e[1]:.3f}", e[2], "|", e[3], "|", e[4])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: nothing to measure.")

    cases = DATA / "nomenklatura-name_bench" / "cases.csv"
    if cases.exists():
        with cases.open(encoding="utf-8") as f:
            rows = [
                (
                    r["name1"],
                    r["name2"],
                    r["is_match"] == "true",
                    KINDS.get(r["schema"]),
                    r["quality"] + " " + r["schema"],
                )
                for r in csv.DictReader(f)
            ]
        t = time.perf_counter()
        report("nomenklatura name_bench (all)", rows, args.threshold, args.errors)
        per_pair = (time.perf_counter() - t) / len(rows) * 1000
        report("  persons only", [r for r in rows if r[3] == "person"], args.threshold, False)
        report("  others", [r for r in rows if r[3] != "person"], args.threshold, False)
        print(f"  {per_pair:.3f} ms per pair (uncached)")
        frozen = DATA / "nomenklatura-name_bench" / "logicv2-frozen.csv"
        if frozen.exists():
            with frozen.open(encoding="utf-8") as f:
                c = Counter(r["outcome"] for r in csv.DictReader(f))
            tp, fp, fn = c["TP"], c["FP"], c["FN"]
            print(
                f"  reference nomenklatura logic-v2 on the same pairs: precision {tp / (tp + fp):.3f}"
                f"  recall {tp / (tp + fn):.3f}  ({dict(c)})"
            )

    cross = DATA / "watchman" / "cross_script_pairs.csv"
    if cross.exists():
        with cross.open(encoding="utf-8") as f:
            lines = [line for line in f if line.strip() and not line.startswith("#")]
        rows = [(r[0], r[1], True, "person", r[3]) for r in csv.reader(lines)]
        report("watchman cross-script pairs", rows, args.threshold, args.errors)

    untreated = DATA / "yente-candidate_generation" / "positives_un_untreated.csv"
    treated = DATA / "yente-candidate_generation" / "positives_un_treated.csv"
    if untreated.exists() and treated.exists():
        with untreated.open(encoding="utf-8") as a, treated.open(encoding="utf-8") as b:
            rows = [
                (t["full_name"], u["full_name"], True, "person", "")
                for u, t in zip(csv.DictReader(a), csv.DictReader(b), strict=True)
                if u["full_name"] and t["full_name"]
            ]
        report("yente UN positives (treated vs untreated)", rows, args.threshold, args.errors)


if __name__ == "__main__":
    import django

    django.setup()
    main()
