"""``entities.csv``: one row per current published entity, the columns of
``CSV_COLUMNS``, and ``csv_row``, which publication calls to store each entity's line
on its head; the export passes the stored lines through as bytes."""

import csv
import io
from datetime import UTC

from ..documents import countries, is_sanctioned
from .shared import CURRENT_ENTITIES, ROWS_PER_FETCH, Export, batches, snapshot

CSV_COLUMNS = [
    ("id", "public id of the entity"),
    ("kind", "person or organisation"),
    ("org_kind", "kind of organisation (government_body, company, ...); empty for persons"),
    ("caption", "the primary name (else the first name)"),
    ("names", "every current name, primary first"),
    ("countries", "ISO 3166-1 alpha-2: a person's nationalities, an organisation's countries"),
    ("birth_date", "partial ISO date (1960, 1960-05, 1960-05-17); persons only"),
    ("identifiers", "scheme:country:value (country may be empty), e.g. registration:RU:1027700001234"),
    ("sanctioned", "true when a designation or export control targeting it is announced or in force"),
    ("authorities", "authorities of every action targeting it (any kind or status)"),
    ("programmes", "their programmes"),
    ("measures", "measures against it (asset_freeze, travel_ban, ...)"),
    ("actions", "public ids of those actions"),
    ("first_published_at", "when its first version was published (ISO 8601, UTC)"),
    ("last_published_at", "when its current version was published"),
    ("version", "its current published version"),
]


def join_values(values):
    """Several values in one cell: ``;``-separated, ``\\`` and ``;`` inside a value
    escaped with a backslash (``split_values`` reverses it)."""
    return ";".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in dict.fromkeys(values) if v)


def split_values(cell):
    values, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    if current or values:
        values.append("".join(current))
    return values


def _utc_iso(when):
    """A timestamp as the other exports give it: ISO 8601 in UTC, microseconds, Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def csv_row(document, first_published_at, last_published_at, version):
    """An entity's line of entities.csv, CRLF-terminated. Publication stores it on the
    entity's head (``publication._append``): every cell changes only with a new version, so
    the export streams stored lines as entities.jsonl streams documents, instead of
    parsing and formatting a million documents per download."""
    doc = document
    sanctions = doc["sanctions"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(
        [  # RFC 4180: quotes where needed, CRLF line ends
            doc["id"],
            doc["kind"],
            (doc.get("organisation") or {}).get("org_kind", ""),
            doc["caption"],
            join_values(n["value"] for n in doc["names"]),
            join_values(countries(doc)),
            (doc.get("person") or {}).get("birth_date", ""),
            join_values(f"{i['scheme']}:{i['country']}:{i['value']}" for i in doc["identifiers"]),
            "true" if is_sanctioned(sanctions) else "false",
            join_values(s["authority"] for s in sanctions),
            join_values(s["programme"] or "" for s in sanctions),
            join_values(m for s in sanctions for m in s["measures"]),
            join_values(s["action"] for s in sanctions),
            _utc_iso(first_published_at),
            _utc_iso(last_published_at),
            str(version),
        ]
    )
    return buffer.getvalue()


def _csv_header():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([name for name, _ in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def entities_csv(rows_per_fetch=ROWS_PER_FETCH):
    yield _csv_header()
    with snapshot():
        sql = f"SELECT h.csv_row {CURRENT_ENTITIES} ORDER BY h.record_id"
        for rows in batches(sql, rows_per_fetch, raw_text=True):
            yield b"".join(row[0] for row in rows)


EXPORT = Export(
    "entities.csv",
    "text/csv; charset=utf-8; header=present",
    entities_csv,
    "One row per published entity.",
)
