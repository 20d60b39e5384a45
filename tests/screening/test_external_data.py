"""Name matching on real, labelled test sets from ../shared (skipped where absent).

The files are read in place; none is copied into the project.
"""

import csv
from pathlib import Path

import pytest
from django.conf import settings

from core.names import analyse, scripts, similarity
from screening.records import EntityRecord, Query
from screening.scoring import score

NAME_MATCHING = Path(settings.BASE_DIR).parent / "shared" / "data" / "external" / "name-matching"


def data(*parts):
    path = NAME_MATCHING.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


def test_nomenklatura_name_bench_precision_and_recall():
    """826 labelled pairs (persons, companies, vessels; MIT, nomenklatura). Floors a little
    under what the matcher reaches (precision 0.85, recall 0.79), and above nomenklatura
    logic-v2's own precision on the same pairs (0.76)."""
    with data("nomenklatura-name_bench", "cases.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    tp = fp = fn = 0
    for r in rows:
        kind = "person" if r["schema"] == "Person" else None
        predicted = score(Query(r["name1"], kind=kind), EntityRecord("x", kind or "organisation", [r["name2"]])).match
        truth = r["is_match"] == "true"
        tp += predicted and truth
        fp += predicted and not truth
        fn += truth and not predicted
    assert tp / (tp + fp) >= 0.82
    assert tp / (tp + fn) >= 0.76


def test_putin_in_the_scripts_we_claim():
    """nomenklatura's fixture of Putin's name in many scripts: every Latin, Cyrillic,
    Greek, Arabic, Persian and Hebrew spelling with given and family name matches."""
    claimed = [
        line.strip() for line in data("nomenklatura-fixtures", "putin_names.txt").open(encoding="utf-8") if line.strip()
    ]
    ours = {"Latin", "Cyrillic", "Greek", "Arabic", "Hebrew"}
    in_scope = [name for name in claimed if scripts(name) <= ours and len(analyse(name, "person").tokens) >= 2]
    assert len(in_scope) > 50
    missed = [name for name in in_scope if similarity(name, "Vladimir Vladimirovich Putin", "person") < 0.7]
    # known misses: Belarusian Пуцін (ц for т), Hungarian Putyin, Latvian/Lithuanian endings, and
    # one word in common only ("Presiden Putin": a title we don't know)
    assert all(
        any(m in name for m in ("Пуцін", "Putyin", "Putins", "Putinas", "Presiden", "Predsjednik", "Președintele"))
        for name in missed
    ), missed


def test_watchman_cross_script_pairs_arabic_and_cyrillic():
    with data("watchman", "cross_script_pairs.csv").open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    pairs = [(r[0], r[1]) for r in csv.reader(lines)]
    arabic_cyrillic = [(q, e) for q, e in pairs if any("\u0400" <= c <= "\u06ff" for c in q)]
    assert len(arabic_cyrillic) >= 8
    for query, expected in arabic_cyrillic:
        assert similarity(query, expected, "person") >= 0.8, (query, expected)
