"""Entities of the write model (published or still drafts) that a name may already
stand for, scored with the project's name comparison (``core.names``): for the
duplicate check when an entity is added, and for finding a record by a misspelt or
partial name.

The write model has no match index (that holds published entities only, in
``screening``), so candidates are the names containing the start of one of the
query's longer words, then scored in Python; spellings in another script aren't
retrieved this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Case, Q, When

from core import names as n

from .models import Entity, Name

PREFIX = 4  # letters of a word the candidates must contain: "Rezai" finds "Rezaei"
CANDIDATES = 500  # names scored at most, however common the words
DUPLICATE_THRESHOLD = 0.7  # the matcher's default threshold (screening.scoring)


@dataclass(frozen=True)
class Similar:
    entity: Entity
    name: str  # the entity's name that matched best
    score: float


def _candidate_names(query_names, kind=None, exclude=None):
    words = {t for name in query_names for t in n.tokenise(name) if len(t) >= 3}
    # The longest words are the rarest: "Rezaei" rather than "Amir".
    words = sorted(words, key=len, reverse=True)[:3]
    if not words:
        return []
    names = Name.objects.filter(
        reduce(or_, (Q(value__icontains=w[:PREFIX]) for w in words)),
        deprecated_at__isnull=True,
        entity__deprecated_at__isnull=True,
        entity__merged_into__isnull=True,
    )
    if kind:
        names = names.filter(entity__kind=kind)
    if exclude is not None:
        names = names.exclude(entity=exclude)
    # Names holding a whole word first: a common prefix ("moha") may match more names
    # than the cap, and the one sought must not fall behind them.
    whole_word_first = Case(When(reduce(or_, (Q(value__icontains=w) for w in words)), then=0), default=1)
    return list(names.order_by(whole_word_first, "pk").values_list("entity_id", "value")[:CANDIDATES])


def _best(scored, limit):
    best: dict[int, tuple[float, str]] = {}
    for entity_id, value, score in scored:
        if score > best.get(entity_id, (0.0, ""))[0]:
            best[entity_id] = (score, value)
    top = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
    entities = Entity.objects.prefetch_related("names").in_bulk([pk for pk, _ in top])
    return [Similar(entities[pk], value, round(score, 2)) for pk, (score, value) in top if pk in entities]


def similar_entities(query_names, kind=None, exclude=None, limit=8, threshold=DUPLICATE_THRESHOLD):
    """Live entities with a name like one of ``query_names`` (whole names compared, any
    word order, spelling variants), best first."""
    query_names = [q for q in query_names if q and q.strip()]
    # n.similarity, with the query names analysed once rather than per candidate.
    queries = [a for q in query_names for a in n.analyse_variants(q, kind)]
    scored = [
        (entity_id, value, max(n.compare(a, b).score for a in queries for b in n.analyse_variants(value, kind)))
        for entity_id, value in _candidate_names(query_names, kind, exclude)
    ]
    return _best([s for s in scored if s[2] >= threshold], limit)


def entities_named_like(q, limit=10, threshold=0.85):
    """Entities each of whose words of ``q`` matches a word of one of their names, in
    any order and spelling ("Rezai" finds "Amir Rezaei"): a search box's partial name."""
    query = n.tokenise(q)
    if not query:
        return []
    scored = []
    for entity_id, value in _candidate_names([q]):
        tokens = n.tokenise(value)
        if not tokens:
            continue
        score = min(max(n.token_similarity(w, t)[0] for t in tokens) for w in query)
        if score >= threshold:
            scored.append((entity_id, value, score))
    return _best(scored, limit)
