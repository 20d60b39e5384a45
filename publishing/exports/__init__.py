"""Bulk exports of the published entities, streamed from the database.

Three files of the current published entities (``PublishedRecord`` heads of type
entity whose latest operation is an upsert: never an unpublished or retracted one),
ordered by entity id, one module each:

* ``entities.jsonl`` (``jsonl``): each entity's published document, one per line;
* ``entities.ftm.json`` (``ftm``): FollowTheMoney entities, one JSON object per line;
* ``entities.csv`` (``csvfile``): one row per entity, as publication stored it.

What they share (the registry, the snapshot, the batches of rows) is in ``shared``;
``files`` writes each one to a file once per publication, which the API serves.
The names below are what the API, publication, migrations, tests and benchmarks use.
"""

from . import csvfile, files, ftm, jsonl
from .csvfile import CSV_COLUMNS, csv_row, entities_csv, join_values, split_values
from .ftm import FTM_LANGUAGES, cited_sources, entities_ftm, ftm_entities, ftm_id
from .jsonl import entities_jsonl
from .shared import CURRENT_ENTITIES, EXPORTS, ROWS_PER_FETCH, Export, UnknownExport, get_export, register

# The order partners see the exports listed in (the API's description, an unknown name's answer).
register(jsonl.EXPORT, ftm.EXPORT, csvfile.EXPORT)

__all__ = [
    "CSV_COLUMNS",
    "CURRENT_ENTITIES",
    "EXPORTS",
    "FTM_LANGUAGES",
    "ROWS_PER_FETCH",
    "Export",
    "UnknownExport",
    "cited_sources",
    "csv_row",
    "entities_csv",
    "entities_ftm",
    "entities_jsonl",
    "files",
    "ftm_entities",
    "ftm_id",
    "get_export",
    "join_values",
    "split_values",
]
