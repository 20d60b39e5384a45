"""The screening API for the rest of the project (publication hooks, the match endpoint,
the curators' article view). Everything here works on ``screening.records`` types.

The index follows publication by itself (``screening.receivers``); published entity
documents become records through ``screening.sources.record_from_document``.

    index_entities(records) -> int    versions were published: add or replace entities
                                      (one statement per 1,000; index_entity for one)
    remove_entities(ids) -> int       versions were retracted (or merged away); remove_entity
    rebuild(records, progress=True)   replace the whole index (one transaction, COPY)
    Query(name, kind, birth_date, countries, identifiers)  raises InvalidQuery(field, message)
    match(query, limit=10, threshold=0.7) -> [Result]   ranked, explained candidates
    find_mentions(text, source=None) -> [Mention]        known entities named in a text
    suggest_new_entities(text, known=()) -> [Suggestion] likely new persons/organisations
"""

from .index import index_entities, index_entity, match, rebuild, remove_entities, remove_entity
from .mentions import Mention, Suggestion, find_mentions
from .new_entities import suggest_new_entities
from .records import EntityRecord, InvalidQuery, NameRecord, Query
from .scoring import THRESHOLD, Feature, Result, score

__all__ = [
    "THRESHOLD",
    "EntityRecord",
    "Feature",
    "InvalidQuery",
    "Mention",
    "NameRecord",
    "Query",
    "Result",
    "Suggestion",
    "find_mentions",
    "index_entities",
    "index_entity",
    "match",
    "rebuild",
    "remove_entities",
    "remove_entity",
    "score",
    "suggest_new_entities",
]
