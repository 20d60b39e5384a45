"""The screening API for the rest of the project (publication hooks, the match endpoint,
the curators' article view). Everything here works on ``screening.records`` types.

    index_entity(record)              a version was published: add or replace the entity
    remove_entity(entity_id) -> bool  a version was retracted (or merged away)
    rebuild(records, progress=True)   replace the whole index (one transaction, COPY)
    match(query, limit=10, threshold=0.7) -> [Result]   ranked, explained candidates
    find_mentions(text, source=None) -> [Mention]        known entities named in a text
    suggest_new_entities(text, known=()) -> [Suggestion] likely new persons/organisations
"""
from .index import index_entity, match, rebuild, remove_entity
from .mentions import Mention, Suggestion, find_mentions, suggest_new_entities
from .records import EntityRecord, NameRecord, Query
from .scoring import THRESHOLD, Feature, Result, score

__all__ = [
    "THRESHOLD", "EntityRecord", "Feature", "Mention", "NameRecord", "Query", "Result", "Suggestion",
    "find_mentions", "index_entity", "match", "rebuild", "remove_entity", "score", "suggest_new_entities",
]
