"""The benchmark harness's pure helpers (make bench itself is not a test)."""

import json
from datetime import date

from bench.harness import SKIPPED_404, Target, figure, percentile, results_path, table, verdict, write_results


def test_percentiles_interpolate_between_ranks():
    values = [5, 1, 4, 2, 3]
    assert percentile(values, 50) == 3
    assert percentile(values, 0) == 1 and percentile(values, 100) == 5
    assert percentile(values, 95) == 4.8
    assert percentile([7], 95) == 7.0
    assert percentile([], 50) is None


def test_figures_pass_miss_or_are_skipped_and_a_miss_says_by_how_much():
    fast = figure("entity detail p50", 3.2, "ms", Target("<=", 5))
    slow = figure("match p95", 120.0, "ms", Target("<=", 50))
    few = figure("throughput", 40.0, "queries/s", Target(">=", 100))
    absent = figure("export csv", None, "", Target(">=", 0.5), SKIPPED_404)
    untargeted = figure("index build", 12.5, "s")
    assert [verdict(f) for f in (fast, slow, few, absent, untargeted)] == ["pass", "MISS", "MISS", "skipped", "-"]
    text = table([fast, slow, few, absent, untargeted])
    assert "2.4x the limit" in text and "40% of the target" in text
    assert "skipped: endpoint not available (404)" in text


def test_the_results_file_is_named_by_date_and_size_and_holds_every_figure(tmp_path):
    assert results_path(tmp_path, 100000, date(2026, 11, 21)).name == "2026-11-21-100000.json"
    figures = [figure("admin entity list", 120.0, "ms", Target("<=", 500), "p50 of 20")]
    path = write_results(tmp_path, 1000, figures, {"machine": {"cpus": 2}, "entities": 1000})
    data = json.loads(path.read_text())
    assert data["machine"] == {"cpus": 2} and data["entities"] == 1000
    assert data["figures"] == [
        {
            "name": "admin entity list",
            "value": 120.0,
            "unit": "ms",
            "target": "<= 500",
            "verdict": "pass",
            "note": "p50 of 20",
        }
    ]
    assert not list(tmp_path.glob("*.tmp"))
