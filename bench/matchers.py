"""Our name matcher beside nomenklatura's logic-v2 (yente's matcher), on every labelled
set, in one process (not a test).

    make bench-matchers                 # builds var/bench-venv once, then runs this
    var/bench-venv/bin/python bench/matchers.py [--threshold 0.7] [--before main]
        [--negatives-un 2577] [--negatives-us 1999] [--errors SET] [--json FILE]

logic-v2 comes from ``bench/requirements-reference.txt`` (nomenklatura 4.17.0 and what it
needs), installed into ``var/bench-venv`` beside the product's own requirements; it is
never a dependency of the product. Without nomenklatura the script still runs ours only.

Both matchers see the same pairs, built from names only (no dates, countries or
identifiers), the way nomenklatura's own ``contrib/name_bench`` runs logic-v2: a
``ValueEntity`` of the pair's schema with its ``name`` (or name parts) set, compared with
``LogicV2.compare`` and its default configuration. Ours: ``screening.scoring.score`` with
name 1 as the query and name 2 as the candidate's primary name.

Sets (read in place from ../shared/data/external/name-matching/, nothing copied):
* name_bench: nomenklatura ``contrib/name_bench/cases.csv``, 826 labelled pairs;
* entity_bench: nomenklatura ``contrib/entity_bench/checks.yml``, 228 labelled checks (names
  given as parts are joined "first middle father last", as nomenklatura does for entities
  without a ``name``);
* UN variants: yente's UN-list persons whose altered ("treated": typos, reordering, "LAST,
  First") spelling differs from the listed ("untreated") one, the altered spelling as the
  query against the listed one (positives; the identical rows would only inflate F1), plus ``--negatives-un`` synthetic
  non-listed persons (``negatives_global.csv``, a fixed sample) screened against the 683
  listed names (negatives): each negative is compared with the listed names sharing a word
  key with it (at most ``CANDIDATES`` of them, the most keys first; the same candidates for
  both matchers), and raises an alert if any scores >= the threshold;
* cross-script: watchman's ``cross_script_pairs.csv`` (all positives: F1 = recall's F1);
* US Congress: ``--negatives-us`` synthetic US persons (``negatives_us.csv``) screened the
  same way against the 1,254 members of Congress (``positives_us_congress_untreated.csv``).

``--before REF`` also loads this project's matcher as of git REF (default: main) into the
same process (its ``core`` and ``screening`` packages extracted under var/bench/code-REF),
so one run prints before, after and logic-v2 side by side.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "external" / "name-matching"
CANDIDATES = 20  # listed names compared per negative query (those sharing most word keys)
KINDS = {"Person": "person", "Company": "organisation", "Organization": "organisation", "Vessel": "organisation"}
NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "motherName", "lastName")


# ---------------------------------------------------------------------------- matchers


class Timed:
    """A matcher: ``pair(query_names, candidate_names, schema) -> score``, timed."""

    label = ""

    def __init__(self):
        self.seconds = 0.0
        self.pairs = 0

    def __call__(self, query_names, candidate_names, schema):
        started = time.perf_counter()
        value = self.pair(query_names, candidate_names, schema)
        self.seconds += time.perf_counter() - started
        self.pairs += 1
        return value

    @property
    def per_second(self):
        return self.pairs / self.seconds if self.seconds else float("nan")


class Ours(Timed):
    def __init__(self, label, scoring, records):
        super().__init__()
        self.label, self.scoring, self.records = label, scoring, records

    def pair(self, query_names, candidate_names, schema):
        kind = KINDS.get(schema)
        query = self.records.Query(list(query_names), kind=kind)
        record = self.records.EntityRecord("c", kind or "organisation", list(candidate_names))
        return self.scoring.score(query, record).score


class LogicV2(Timed):
    label = "logic-v2"

    def __init__(self):
        super().__init__()
        from followthemoney import ValueEntity, model
        from nomenklatura.matching.logic_v2.model import LogicV2 as Algorithm

        self.entity, self.model, self.algorithm = ValueEntity, model, Algorithm
        self.config = Algorithm.default_config()
        self.ids = 0

    def make(self, names, schema):
        self.ids += 1
        entity = self.entity(self.model.get(schema), {"id": f"e{self.ids}"})
        for name in names:
            if isinstance(name, dict):  # name parts (entity_bench)
                for prop, value in name.items():
                    entity.add(prop, value)
            else:
                entity.add("name", name)
        return entity

    def pair(self, query_names, candidate_names, schema):
        query, candidate = self.make(query_names, schema), self.make(candidate_names, schema)
        return float(self.algorithm.compare(query, candidate, self.config).score)


def load_ours(code_root: Path, label: str) -> Ours:
    """This project's screening.scoring/records from ``code_root``, as module objects of
    their own (so two versions can sit in one process)."""
    mine = {k: sys.modules.pop(k) for k in list(sys.modules) if k.split(".")[0] in ("core", "screening")}
    sys.path.insert(0, str(code_root))
    try:
        scoring = importlib.import_module("screening.scoring")
        records = importlib.import_module("screening.records")
    finally:
        sys.path.remove(str(code_root))
        for k in [k for k in sys.modules if k.split(".")[0] in ("core", "screening")]:
            del sys.modules[k]
        sys.modules.update(mine)
    return Ours(label, scoring, records)


def extract(ref: str) -> Path:
    """The core/ and screening/ packages as of git ``ref``, under var/bench/code-<sha>."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    target = ROOT / "var" / "bench" / f"code-{sha}"
    if not (target / "screening" / "scoring.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", sha, "core", "screening"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


# ---------------------------------------------------------------------------- sets


def plain(names):
    """Names for our matcher: name parts joined in nomenklatura's order."""
    out = []
    for name in names:
        if isinstance(name, dict):
            out.append(" ".join(name[p] for p in NAME_PARTS if name.get(p)))
        else:
            out.append(name)
    return out


def name_bench():
    with (DATA / "nomenklatura-name_bench" / "cases.csv").open(encoding="utf-8") as f:
        return [
            ([r["name1"]], [r["name2"]], r["schema"], r["is_match"] == "true", r["quality"]) for r in csv.DictReader(f)
        ]


def entity_bench():
    import yaml

    with (DATA / "nomenklatura-entity_bench" / "checks.yml").open(encoding="utf-8") as f:
        checks = yaml.safe_load(f)["checks"]

    def names(props):
        values = props.get("name")
        if values:
            return [values] if isinstance(values, str) else list(values)
        return [{p: props[p] for p in NAME_PARTS if props.get(p)}]

    return [
        (names(c["query"]), names(c["candidate"]), c["schema"], bool(c["match"]), c.get("label") or "") for c in checks
    ]


def cross_script():
    with (DATA / "watchman" / "cross_script_pairs.csv").open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return [([r[0]], [r[1]], "Person", True, r[3]) for r in csv.reader(lines)]


def read_names(path):
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)]


def un_positives():
    yente = DATA / "yente-candidate_generation"
    untreated = read_names(yente / "positives_un_untreated.csv")
    treated = read_names(yente / "positives_un_treated.csv")
    return [
        ([t["full_name"]], [u["full_name"]], "Person", True, "UN variant")
        for u, t in zip(untreated, treated, strict=True)
        if u["full_name"] and t["full_name"] and u["full_name"] != t["full_name"]
    ]


def negative_queries(path, listed, sample, seed):
    """(query, [candidate names]) for a fixed sample of synthetic persons against the listed
    names sharing a word key with them (blocking by the current checkout's keys)."""
    from core.names import PARTICLES, analyse, key_skeleton

    def keys(name):
        return {key_skeleton(t) for t in analyse(name, "person").tokens if len(t) > 1 and t not in PARTICLES}

    by_key = defaultdict(set)
    for i, name in enumerate(listed):
        for k in keys(name):
            by_key[k].add(i)
    rows = [r["full_name"] for r in read_names(path) if r["full_name"]]
    rows = random.Random(seed).sample(rows, min(sample, len(rows)))
    out = []
    for name in rows:
        shared = Counter(i for k in keys(name) for i in by_key.get(k, ()))
        ranked = sorted(shared, key=lambda i: (-shared[i], i))[:CANDIDATES]
        out.append((name, [listed[i] for i in ranked]))
    return out


# ---------------------------------------------------------------------------- measuring


def evaluate(matcher, cases, threshold, errors=None):
    counts = Counter()
    for query, candidate, schema, truth, note in cases:
        names_q = query if isinstance(matcher, LogicV2) else plain(query)
        names_c = candidate if isinstance(matcher, LogicV2) else plain(candidate)
        value = matcher(names_q, names_c, schema)
        outcome = ("T" if (value >= threshold) == truth else "F") + ("P" if value >= threshold else "N")
        counts[outcome] += 1
        if note == "STRONG" and outcome == "FN":
            counts["strong_fail"] += 1
        if errors is not None and outcome in ("FP", "FN"):
            errors.append((outcome, round(value, 3), plain(query), plain(candidate), schema, note))
    return counts


def alerts(matcher, negatives, threshold, errors=None):
    raised = 0
    for query, candidates in negatives:
        best = max((matcher([query], [c], "Person"), c) for c in candidates) if candidates else (0.0, "")
        if best[0] >= threshold:
            raised += 1
            if errors is not None:
                errors.append(("alert", round(best[0], 3), query, best[1]))
    return raised


def f1(c):
    denominator = 2 * c["TP"] + c["FP"] + c["FN"]
    return 2 * c["TP"] / denominator if denominator else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--before", default="main", help="git ref of the 'before' matcher ('' for none)")
    parser.add_argument("--negatives-un", type=int, default=2577)
    parser.add_argument("--negatives-us", type=int, default=1999)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--errors", default="", help="print the errors of this matcher label (e.g. 'ours')")
    parser.add_argument("--json", default="", help="write the figures to this file")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: nothing to measure.")

    matchers = []
    if args.before:
        matchers.append(load_ours(extract(args.before), f"before ({args.before})"))
    matchers.append(load_ours(ROOT, "ours"))
    try:
        matchers.append(LogicV2())
    except ImportError as exc:
        print(f"logic-v2 not available ({exc}); run with var/bench-venv/bin/python (make bench-matchers)")

    sys.path.insert(0, str(ROOT))  # for the blocking keys
    yente = DATA / "yente-candidate_generation"
    un_listed = [r["full_name"] for r in read_names(yente / "positives_un_untreated.csv") if r["full_name"]]
    congress = [r["full_name"] for r in read_names(yente / "positives_us_congress_untreated.csv") if r["full_name"]]
    un_negatives = negative_queries(yente / "negatives_global.csv", un_listed, args.negatives_un, args.seed)
    us_negatives = negative_queries(yente / "negatives_us.csv", congress, args.negatives_us, args.seed)
    labelled = {
        "name_bench": name_bench(),
        "entity_bench": entity_bench(),
        "UN variants": un_positives(),
        "cross-script": cross_script(),
    }

    figures = {}
    for m in matchers:
        errors = [] if m.label == args.errors else None
        row = {}
        for label, cases in labelled.items():
            c = evaluate(m, cases, args.threshold, errors)
            if label == "UN variants":
                c["FP"] = alerts(m, un_negatives, args.threshold, errors)
                row["alerts UN"] = c["FP"]
            row[label] = {"f1": round(f1(c), 3), **{k: c[k] for k in ("TP", "FP", "FN", "TN", "strong_fail")}}
        row["alerts US Congress"] = alerts(m, us_negatives, args.threshold, errors)
        row["pairs"], row["pairs_per_second"] = m.pairs, round(m.per_second)
        figures[m.label] = row
        if errors is not None:
            for e in sorted(errors, key=str):
                print("   ", *e)

    labels = [m.label for m in matchers]
    print(f"\nthreshold {args.threshold}; F1 (TP/FP/FN), STRONG pairs failed on name_bench")
    print(f"{'set':44}" + "".join(f"{label:>24}" for label in labels))

    def line(title, cell):
        print(f"{title:44}" + "".join(f"{cell(figures[label]):>24}" for label in labels))

    sizes = {k: len(v) for k, v in labelled.items()}
    for label in labelled:
        extra = f" + {len(un_negatives)} negatives" if label == "UN variants" else ""
        title = f"{label} ({sizes[label]} pairs{extra})"
        line(title, lambda r, k=label: f"{r[k]['f1']:.3f} ({r[k]['TP']}/{r[k]['FP']}/{r[k]['FN']})")
    line("name_bench STRONG pairs failed", lambda r: str(r["name_bench"]["strong_fail"]))
    line(
        f"alerts: UN of {len(un_negatives)} / Congress of {len(us_negatives)}",
        lambda r: f"{r['alerts UN']} / {r['alerts US Congress']}",
    )
    line("pairs per second", lambda r: f"{r['pairs_per_second']:,} ({r['pairs']:,})")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "threshold": args.threshold,
                    "candidates_per_negative": CANDIDATES,
                    "negatives": {"UN": len(un_negatives), "US Congress": len(us_negatives)},
                    "seed": args.seed,
                    "matchers": figures,
                },
                indent=1,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
