"""A synthetic dataset for benchmarks, reproducible from a seed (no database here).

``articles(seed, n)`` yields ``Article``s: synthetic news items, each naming up to
``ARTICLE_SIZE`` persons and organisations, with the claims a curator would record from
it, every claim pinned to the exact words (code-point spans) of the article that state
it. ``corpus.bulk`` writes them into the write model and publishes them through review.

* persons: Persian, Russian or Western names in Latin letters, most also spelled in
  Persian or Cyrillic script (a transliteration name), some with an alias; birth dates,
  nationalities, passports; some work for an organisation of the same article;
* organisations: names with legal forms, some in Persian or Cyrillic script too;
  countries, registration numbers, parents, suppliers;
* one sanction action per article (an authority, a programme, kind, status, dates)
  targeting several of its entities, each target with its measures.

Everything an article holds comes from ``random.Random(f"{seed}:{number}")``: the same
seed gives the same articles in any batch size. Ids are derived from the seed
(``core.ids.derived_public_id``), so two seeds never share one.

The name pools and script tables are in ``corpus.synthetic_words``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from core.ids import derived_public_id

from .synthetic_words import (
    ACTIONS,
    AUTHORITIES,
    COUNTRY_NAMES,
    GIVEN,
    LEGAL,
    MEASURE_WORDS,
    NATIONALITY,
    ORG_COUNTRIES,
    ORG_KINDS,
    ORG_WORDS,
    PROGRAMMES,
    ROLES,
    family,
    native_spelling,
)

ARTICLE_SIZE = 20  # entities per article (one source, one sanction action)


# ------------------------------------------------------------------------ the records

Span = tuple  # (start, end): code points into the article text, end exclusive


@dataclass(slots=True)
class NameDraft:
    value: str
    type: str
    lang: str
    span: Span


@dataclass(slots=True)
class IdentifierDraft:
    scheme: str
    value: str
    country: str
    span: Span


@dataclass(slots=True)
class RelationshipDraft:
    kind: str
    object: int  # index of the object in the article's entities
    role: str
    span: Span


@dataclass(slots=True)
class EntityDraft:
    public_id: str
    kind: str
    span: Span  # the words that introduce the entity (also its primary name's citation)
    names: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    relationships: list = field(default_factory=list)
    # person: title, gender, birth_date, nationalities; organisation: org_kind, countries, parent (an index)
    details: dict = field(default_factory=dict)
    # property key (Evidence.property: "birth_date", "nationalities:IR"...) → the words that state it
    property_spans: dict = field(default_factory=dict)


@dataclass(slots=True)
class TargetDraft:
    entity: int  # index in the article's entities
    measures: list
    span: Span
    measures_span: Span | None = None  # the words naming its measures (every one of them)


@dataclass(slots=True)
class ActionDraft:
    public_id: str
    authority: str  # name of one of AUTHORITIES
    programme: str | None
    kind: str
    status: str
    announced_date: str
    in_force_date: str
    summary: str
    span: Span
    targets: list = field(default_factory=list)
    date_span: Span | None = None  # the date, which states announced (and in-force) date


@dataclass(slots=True)
class Article:
    public_id: str
    title: str
    language: str
    published: str
    text: str
    entities: list
    action: ActionDraft | None


class _Text:
    """Appends pieces of an article and tells where each one lies."""

    def __init__(self):
        self.parts, self.length = [], 0

    def add(self, piece):
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return (start, self.length)

    def value(self):
        return "".join(self.parts)


def entity_id(seed, index):
    return derived_public_id("ent", f"synthetic:{seed}:{index}")


def article_count(n):
    return -(-n // ARTICLE_SIZE)


def articles(seed, n, start=0, stop=None):
    """Articles number ``start`` to ``stop`` (exclusive; default: all) of the dataset of
    ``n`` entities with ``seed``."""
    stop = article_count(n) if stop is None else min(stop, article_count(n))
    for number in range(start, stop):
        first = number * ARTICLE_SIZE
        yield article(seed, number, first, min(ARTICLE_SIZE, n - first))


def article(seed, number, first, count):
    rng = random.Random(f"{seed}:{number}")
    text = _Text()
    culture = rng.choice(["fa", "fa", "ru", "en"])
    orgs = max(1, round(count * 0.35)) if count >= 3 else 0
    year = rng.randint(2014, 2025)
    text.add(f"Report {number + 1}. ")
    entities = []
    for i in range(count):
        public_id = entity_id(seed, first + i)
        if i < orgs:
            entities.append(_organisation(rng, text, public_id, culture, entities))
        else:
            entities.append(
                _person(
                    rng, text, public_id, culture if rng.random() < 0.7 else rng.choice(list(GIVEN)), entities, orgs
                )
            )
        text.add("\n")
    action = _action(rng, text, seed, number, year, entities) if count else None
    return Article(
        public_id=derived_public_id("src", f"synthetic:{seed}:article:{number}"),
        title=f"Synthetic report {number + 1} (seed {seed})",
        language="en",
        published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        text=text.value(),
        entities=entities,
        action=action,
    )


def _add_native_spelling(text, e, name, culture):
    """ " (<name in its own script>)" after the name, as a transliteration name claim."""
    text.add(" (")
    value, lang = native_spelling(name, culture)
    e.names.append(NameDraft(value, "transliteration", lang, text.add(value)))
    text.add(")")


def _organisation(rng, text, public_id, culture, entities):
    base = f"{family(rng, culture)} {rng.choice(ORG_WORDS)}"
    primary = f"{base} {rng.choice(LEGAL)}"
    span = text.add(primary)
    e = EntityDraft(public_id, "organisation", span, [NameDraft(primary, "primary", "en", span)])
    if culture != "en" and rng.random() < 0.5:
        _add_native_spelling(text, e, base, culture)
    org_kind, phrase = rng.choice(ORG_KINDS)
    country = rng.choice(ORG_COUNTRIES[culture])
    text.add(" is ")
    stated = text.add(f"a {phrase} based in {COUNTRY_NAMES[country]}")  # kind and country
    if rng.random() < 0.6:
        text.add(", registered under ")
        value = f"{rng.randint(10**9, 10**10 - 1)}"
        e.identifiers.append(IdentifierDraft("registration", value, country, text.add(f"number {value}")))
    parent = None
    earlier = [j for j, other in enumerate(entities) if other.kind == "organisation"]
    if earlier and rng.random() < 0.2:
        parent = rng.choice(earlier)
        text.add(", a subsidiary of ")
        text.add(entities[parent].names[0].value)
    text.add(".")
    if earlier and rng.random() < 0.15:
        other = rng.choice(earlier)
        if other != parent:
            text.add(" ")
            sentence = f"{primary} supplies {entities[other].names[0].value}."
            e.relationships.append(RelationshipDraft("supplier_to", other, "", text.add(sentence)))
    e.details = {"org_kind": org_kind, "countries": [country], "parent": parent}
    e.property_spans = {"org_kind": stated, f"countries:{country}": stated}
    return e


def _person(rng, text, public_id, culture, entities, orgs):
    given = GIVEN[culture]
    parts = [rng.choice(given)] + ([rng.choice(given)] if rng.random() < 0.4 else []) + [family(rng, culture)]
    primary = " ".join(parts)
    title = rng.choice(["Brig. Gen. ", "Dr. ", ""]) if rng.random() < 0.2 else ""
    title_span = text.add(title)
    title_span = (title_span[0], title_span[0] + len(title.strip()))
    span = text.add(primary)
    e = EntityDraft(public_id, "person", span, [NameDraft(primary, "primary", "en", span)])
    if culture != "en" and rng.random() < 0.7:
        _add_native_spelling(text, e, primary, culture)
    if rng.random() < 0.3:
        alias = " ".join(parts[:-1] + [family(rng, culture)])
        if alias != primary:
            text.add(", also known as ")
            e.names.append(NameDraft(alias, "alias", "en", text.add(alias)))
    birth = ""
    if rng.random() < 0.6:
        birth = f"{rng.randint(1940, 2000)}"
        if rng.random() < 0.5:
            birth += f"-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        text.add(", born ")
        e.property_spans["birth_date"] = text.add(birth)
    nationality = rng.choice(NATIONALITY[culture])
    text.add(", ")
    e.property_spans[f"nationalities:{nationality}"] = text.add(f"a national of {COUNTRY_NAMES[nationality]}")
    text.add(".")
    if title:
        e.property_spans["title"] = title_span
    if rng.random() < 0.3:
        value = f"{rng.choice('KPX')}{rng.randint(10**7, 10**8 - 1)}"
        text.add(" Holds ")
        e.identifiers.append(IdentifierDraft("passport", value, nationality, text.add(f"passport {value}")))
        text.add(".")
    if orgs and rng.random() < 0.5:
        employer = rng.randrange(orgs)
        kind, role = rng.choice(ROLES)
        described = role or kind.replace("_", " ")
        text.add(" ")
        sentence = f"{primary} is {described} of {entities[employer].names[0].value}."
        e.relationships.append(RelationshipDraft(kind, employer, role, text.add(sentence)))
    # No gender: the text doesn't state it (every published value cites the words that
    # state it). The draw that chose one stays, so a seed keeps giving the same data.
    rng.random()
    e.details = {"title": title.strip(), "gender": "", "birth_date": birth, "nationalities": [nationality]}
    return e


def _action(rng, text, seed, number, year, entities):
    authority = rng.choice(AUTHORITIES)[0]
    programmes = PROGRAMMES[authority]
    programme = rng.choice(programmes) if programmes and rng.random() < 0.8 else None
    kind, status, verb, person_measures, org_measures = rng.choice(ACTIONS)
    targets = sorted(rng.sample(range(len(entities)), min(len(entities), rng.randint(3, 8))))
    announced = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    text.add("\n")
    sentence_start = text.length
    text.add("On ")
    date_span = text.add(announced)
    text.add(f", the {authority} {verb} ")
    drafts = []
    for k, index in enumerate(targets):
        if k:
            text.add(" and " if k == len(targets) - 1 else ", ")
        target = entities[index]
        measures = person_measures if target.kind == "person" else org_measures
        drafts.append(TargetDraft(index, list(measures), text.add(target.names[0].value)))
    if programme:
        text.add(f" under its {programme[0]} programme")
    text.add(".")
    # The measures in words, each target's cited by the sentence naming those of its kind.
    stated = {}
    for kind_, measures in (("person", person_measures), ("organisation", org_measures)):
        if measures and any(entities[t.entity].kind == kind_ for t in drafts):
            words = " and ".join(MEASURE_WORDS[m] for m in measures)
            text.add(" ")
            stated[kind_] = text.add(f"The {kind_}s named face {words}.")
    for t in drafts:
        t.measures_span = stated.get(entities[t.entity].kind) if t.measures else None
    summary = f"{authority}: {verb} {len(targets)} persons and organisations named in report {number + 1}."
    return ActionDraft(
        public_id=derived_public_id("act", f"synthetic:{seed}:action:{number}"),
        authority=authority,
        programme=programme[0] if programme else None,
        kind=kind,
        status=status,
        announced_date=announced,
        in_force_date=announced if status == "in_force" else "",
        summary=summary,
        span=(sentence_start, text.length),
        targets=drafts,
        date_span=date_span,
    )
