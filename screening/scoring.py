"""Score a screening query against one candidate entity, with an explanation.

The score is built like OpenSanctions' logic-v2: a *base* from the strongest single
piece of evidence (a name, or an identifier), then small *qualifiers* added or taken
away by the facts that confirm or contradict it. Weights and why:

* name similarity × name type: primary names, aliases, transliterations count fully,
  previous names 0.95 (a person may be screened under an old name, but it is a little
  less certain); weak aliases are capped at ``WEAK_ALIAS_CAP`` = 0.55, so a weak alias
  ("Tehran", "UK", a nickname) can never reach the 0.7 threshold on its own — not even
  with birth date and country agreeing (0.55 + 0.05 + 0.02 < 0.7).
* identifier hit (same scheme, same letters and digits): 0.95. A passport or registration
  number is near-unique; when the name matches too the score is 1.0.
* birth date: same day +0.05, agreeing at year/month precision +0.02 (weak evidence:
  many people share a year); a different year -0.2, same year but a different month or
  day -0.1 (a typo or a day/month swap is more likely than a different year).
* countries: any shared country +0.02, none shared (both known) -0.1.
* kind: a person query against an organisation (or the reverse) -0.4, enough to take
  an exact name below the threshold: companies are often named after people ("Siemens").

Missing facts on either side are neutral. The result is clipped to 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.names import AnalysedName, analyse, analyse_variants, compare, identifier_key, token_key_set

from .records import EntityRecord, NameRecord, Query

THRESHOLD = 0.7
NAME_TYPE_FACTOR = {"primary": 1.0, "alias": 1.0, "transliteration": 1.0, "previous": 0.95, "weak_alias": 1.0}
WEAK_ALIAS_CAP = 0.55
IDENTIFIER_HIT = 0.95
DOB_EXACT, DOB_AGREE, DOB_YEAR_CONFLICT, DOB_DAY_CONFLICT = 0.05, 0.02, -0.2, -0.1
COUNTRY_AGREE, COUNTRY_CONFLICT = 0.02, -0.1
KIND_CONFLICT = -0.4
_ANY_SCHEME = {"", "other"}


@dataclass(frozen=True)
class Feature:
    """One line of the explanation: what was compared, its own value and what it added."""

    feature: str
    value: float
    contribution: float
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "feature": self.feature,
            "value": round(self.value, 4),
            "contribution": round(self.contribution, 4),
            **self.detail,
        }


@dataclass(frozen=True)
class Result:
    entity_id: str
    kind: str
    caption: str
    score: float
    match: bool
    name: str  # the candidate's name that matched best ("" when none did)
    name_type: str
    features: tuple[Feature, ...]

    def as_dict(self) -> dict:
        return {
            "entity_id": self.entity_id,
            "kind": self.kind,
            "caption": self.caption,
            "score": round(self.score, 4),
            "match": self.match,
            "name": self.name,
            "name_type": self.name_type,
            "explanation": [f.as_dict() for f in self.features],
        }


@dataclass(frozen=True)
class PreparedQuery:
    query: Query
    names: tuple[AnalysedName, ...]
    identifier_keys: frozenset[tuple[str, str]]


def prepare(query: Query) -> PreparedQuery:
    """Analyse a query once, for scoring against many candidates."""
    names = tuple(v for n in query.names for v in analyse_variants(n, query.kind) if v.tokens)
    ids = frozenset((scheme, identifier_key(value)) for scheme, value in query.identifiers if identifier_key(value))
    return PreparedQuery(query, names, ids)


def analysed_names(record: EntityRecord) -> list[tuple[NameRecord, AnalysedName]]:
    return [(n, analyse(n.value, record.kind)) for n in record.names]


def _transliteration(q: AnalysedName, c: AnalysedName) -> str | None:
    qs, cs = sorted(q.scripts) or ["Latin"], sorted(c.scripts) or ["Latin"]
    if qs == cs == ["Latin"]:
        return None
    if qs == cs:
        return None
    return f"{'+'.join(qs)} → {'+'.join(cs)} (compared in Latin letters)"


FULLY_COMPARED_NAMES = 3  # per query name: an entity's names sharing the most word keys with it


def _shortlist(qn: AnalysedName, names):
    """The names of an entity worth a full comparison with ``qn``: all of them when they
    are few, else those sharing the most word keys (entities on lists have dozens of AKAs)."""
    if len(names) <= FULLY_COMPARED_NAMES:
        return names
    keys = token_key_set(qn.tokens)
    ranked = sorted(names, key=lambda item: -len(keys & token_key_set(item[1].tokens)))
    return ranked[:FULLY_COMPARED_NAMES]


def _name_feature(pq: PreparedQuery, names) -> tuple[float, Feature | None, NameRecord | None]:
    best = (0.0, None, None, None, None)
    for qn in pq.names:
        for rec, an in _shortlist(qn, names):
            comparison = compare(qn, an)
            if comparison.score <= 0:
                continue
            value = comparison.score * NAME_TYPE_FACTOR[rec.type]
            if rec.type == "weak_alias":
                value = min(value, WEAK_ALIAS_CAP)
            if value > best[0]:
                best = (value, comparison, qn, rec, an)
    value, comparison, qn, rec, an = best
    if comparison is None:
        return 0.0, None, None
    detail = {
        "query_name": qn.original,
        "matched_name": rec.value,
        "name_type": rec.type,
        "lang": rec.lang,
        "similarity": comparison.score,
        "transliteration": _transliteration(qn, an),
        "how": comparison.explain(),
    }
    if rec.type == "weak_alias":
        detail["note"] = f"weak alias: capped at {WEAK_ALIAS_CAP}, never a match on its own"
    return value, Feature("name", value, 0.0, detail), rec


def _date_feature(q: str, c: str) -> Feature | None:
    if not q or not c:
        return None
    n = min(len(q), len(c))
    if q[:4] != c[:4]:
        return Feature(
            "birth_date", DOB_YEAR_CONFLICT, DOB_YEAR_CONFLICT, {"query": q, "candidate": c, "result": "different year"}
        )
    if q[:n] != c[:n]:
        return Feature(
            "birth_date",
            DOB_DAY_CONFLICT,
            DOB_DAY_CONFLICT,
            {"query": q, "candidate": c, "result": "same year, different month or day"},
        )
    value = DOB_EXACT if n == 10 else DOB_AGREE
    precision = {4: "year", 7: "month", 10: "day"}[n]
    return Feature("birth_date", value, value, {"query": q, "candidate": c, "result": f"agree to the {precision}"})


def _country_feature(q: tuple[str, ...], c: tuple[str, ...]) -> Feature | None:
    if not q or not c:
        return None
    shared = sorted(set(q) & set(c))
    if shared:
        return Feature(
            "countries", COUNTRY_AGREE, COUNTRY_AGREE, {"query": list(q), "candidate": list(c), "shared": shared}
        )
    return Feature(
        "countries", COUNTRY_CONFLICT, COUNTRY_CONFLICT, {"query": list(q), "candidate": list(c), "shared": []}
    )


def _identifier_feature(pq: PreparedQuery, record: EntityRecord) -> Feature | None:
    if not pq.identifier_keys:
        return None
    for scheme, value in record.identifiers:
        key = identifier_key(value)
        for q_scheme, q_key in pq.identifier_keys:
            if key == q_key and (q_scheme == scheme or q_scheme in _ANY_SCHEME or scheme in _ANY_SCHEME):
                return Feature("identifier", IDENTIFIER_HIT, 0.0, {"scheme": scheme, "value": value})
    return None


def score(query: Query | PreparedQuery, record: EntityRecord, names=None, threshold: float = THRESHOLD) -> Result:
    """Score one candidate. ``names``: the record's names already analysed (from the index)."""
    pq = query if isinstance(query, PreparedQuery) else prepare(query)
    q = pq.query
    name_value, name_feature, name_rec = _name_feature(pq, names if names is not None else analysed_names(record))
    id_feature = _identifier_feature(pq, record)

    # Base: the strongest single piece of evidence; both together make certainty.
    base = max(name_value, id_feature.value if id_feature else 0.0)
    features = []
    if name_feature:
        contribution = base if name_value >= (id_feature.value if id_feature else 0.0) else 0.0
        features.append(Feature("name", name_value, contribution, name_feature.detail))
    if id_feature:
        if name_value >= threshold:
            base = 1.0
            contribution = 1.0 - name_value
        else:
            contribution = base if id_feature.value > name_value else 0.0
        features.append(Feature("identifier", id_feature.value, contribution, id_feature.detail))

    total = base
    if base > 0:
        for qualifier in (
            _date_feature(q.birth_date, record.birth_date),
            _country_feature(q.countries, record.countries),
        ):
            if qualifier:
                features.append(qualifier)
                total += qualifier.contribution
        if q.kind and q.kind != record.kind:
            features.append(Feature("kind", KIND_CONFLICT, KIND_CONFLICT, {"query": q.kind, "candidate": record.kind}))
            total += KIND_CONFLICT
    total = round(min(1.0, max(0.0, total)), 4)
    return Result(
        entity_id=record.entity_id,
        kind=record.kind,
        caption=record.caption,
        score=total,
        match=total >= threshold,
        name=name_rec.value if name_rec else "",
        name_type=name_rec.type if name_rec else "",
        features=tuple(features),
    )
