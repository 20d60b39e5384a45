"""Pure helpers of ``bench/run.py``: percentiles, targets, the table, the results file,
machine facts. No Django, no database: importable by the tests.

A *figure* is a dict: ``name``, ``value`` (a number, or None when skipped), ``unit``,
``target`` (a ``Target`` or None: no target, only reported), ``note`` (free text:
why skipped, what it was compared with, ...). ``verdict`` tells pass/miss/skipped.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SKIPPED_404 = "skipped: endpoint not available (404)"


def percentile(values, p):
    """The p-th percentile (0-100) by linear interpolation between closest ranks;
    None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Target:
    """``value op limit``: op is "<=" (at most) or ">=" (at least)."""

    op: str
    limit: float
    text: str = ""  # as the issue states it, when the limit alone does not say it

    def met(self, value):
        return value <= self.limit if self.op == "<=" else value >= self.limit

    def describe(self):
        return self.text or f"{self.op} {self.limit:g}"

    def shortfall(self, value):
        """How far a missed figure is from its target, in words ("2.3x too slow")."""
        if value is None or self.met(value):
            return ""
        if self.op == "<=":
            return f"{value / self.limit:.1f}x the limit" if self.limit else "above the limit"
        return f"{value / self.limit:.0%} of the target" if self.limit else "below the target"


# The targets (at 1,000,000 entities on 2 cores).
T_EXPORT = Target(">=", 0.5, ">= 0.5 x COPY")
T_EXPORT_MEMORY = Target("<=", 64, "flat: <= 64 MB growth")
T_DETAIL = Target("<=", 5)
T_LIST = Target("<=", 25)
T_MATCH_P95 = Target("<=", 50)
T_MATCH_QPS = Target(">=", 100)
T_PUBLICATION = Target(">=", 5000)
T_ADMIN = Target("<=", 500)
T_VERIFY = Target("<=", 60, "<= 60 s per million citations")


def figure(name, value, unit, target=None, note=""):
    return {"name": name, "value": value, "unit": unit, "target": target, "note": note}


def verdict(fig):
    if fig["value"] is None:
        return "skipped"
    if fig["target"] is None:
        return "-"
    return "pass" if fig["target"].met(fig["value"]) else "MISS"


def _format_value(value):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,.0f}"


def table(figures):
    """The figures as a plain-text table (what ``make bench`` prints)."""
    rows = [("figure", "value", "unit", "target", "verdict", "note")]
    for fig in figures:
        target = fig["target"]
        note = fig["note"]
        if target is not None and fig["value"] is not None and not target.met(fig["value"]):
            note = "; ".join(x for x in (target.shortfall(fig["value"]), note) if x)
        rows.append(
            (
                fig["name"],
                _format_value(fig["value"]),
                fig["unit"],
                target.describe() if target else "",
                verdict(fig),
                note,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1])]
        cells += [c.ljust(w) for c, w in zip(row[2:5], widths[2:5], strict=True)]
        lines.append("  ".join(cells + [row[5]]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(lines)


def results_path(directory, entities, day=None):
    """bench/results/<YYYY-MM-DD>-<N>.json"""
    return Path(directory) / f"{(day or date.today()).isoformat()}-{entities}.json"


def to_json(figures, **facts):
    """The results file's content: the run's facts plus every figure with its verdict."""
    out = dict(facts)
    out["figures"] = [
        {
            "name": f["name"],
            "value": f["value"],
            "unit": f["unit"],
            "target": f["target"].describe() if f["target"] else None,
            "verdict": verdict(f),
            "note": f["note"],
        }
        for f in figures
    ]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def write_results(directory, n, figures, facts):
    """Write bench/results/<date>-<n>.json (``facts``: the run's and the machine's)."""
    path = results_path(directory, n)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")  # never a half-written results file
    tmp.write_text(to_json(figures, **facts), encoding="utf-8")
    tmp.replace(path)
    return path


def machine_facts():
    """CPU count and model, RAM, OS, Python; the load average says how busy the
    machine was (it is shared)."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        ram = round(int(match.group(1)) / 1024**2, 1) if match else None
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
