"""Write many records of the write model at once, then publish them through review.

``write(articles, user)`` COPYs ``corpus.synthetic.Article``s (sources with their text,
citations with exact spans, claims, entities with their details, names, identifiers and
relationships, sanction actions and targets, evidence) into the write model's tables.
COPY fires the same triggers as any INSERT (audit history, the citation-matches-text
check) and the same constraints hold; only the per-object ORM work is skipped. Ids come
from the tables' own sequences, drawn in one query per table.

``publish(keys, curator, reviewer, title)`` then takes the records through the real
workflow: a change set of the curator (``publishing.services.bulk_change_set``),
submitted by the curator and approved by the reviewer (``submit`` / ``approve``), which
render, check and append the published versions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from core.copyin import copy_rows, reserve_ids
from core.ids import derived_public_id
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from publishing import documents
from publishing import services as publishing
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Claim, Evidence, Source
from sources.text import CONTEXT

from .synthetic_words import AUTHORITIES, PROGRAMMES


@dataclass
class Written:
    """What one ``write`` added: the record keys to publish."""

    keys: list = field(default_factory=list)

    @property
    def entities(self):
        return sum(1 for t, _ in self.keys if t == documents.ENTITY)


def reference_data():
    """The authorities and programmes the articles name: (authority ids by name,
    programme ids by (authority name, programme name)), created when missing."""
    authorities = {}
    for name, short_name, country in AUTHORITIES:
        authority, _ = Authority.objects.get_or_create(
            name=name,
            defaults={"short_name": short_name, "country": country, "public_id": derived_public_id("auth", name)},
        )
        authorities[name] = authority.pk
    programmes = {}
    for authority, entries in PROGRAMMES.items():
        for name, code in entries:
            programme, _ = Programme.objects.get_or_create(
                authority_id=authorities[authority],
                name=name,
                defaults={"code": code, "public_id": derived_public_id("prog", f"{authority}: {name}")},
            )
            programmes[(authority, name)] = programme.pk
    return authorities, programmes


class _Table:
    """Rows for one table: the columns given, then every other column at its default."""

    def __init__(self, model, columns):
        fields = {f.attname: f for f in model._meta.local_concrete_fields}
        self.model = model
        self.columns = [fields[c].column for c in columns]
        # Every other column at its default; an auto id is left to the database.
        rest = [f for a, f in fields.items() if a not in columns and not isinstance(f, AutoFieldMixin)]
        for f in rest:
            if f.has_default() and callable(f.default):
                raise ValueError(f"{model.__name__}.{f.attname} has a computed default; give it a value")
        self.columns += [f.column for f in rest]
        self.tail = tuple(f.get_default() for f in rest)  # None, "" or the field's constant
        self.rows = []

    def add(self, *values):
        self.rows.append(values + self.tail)

    def copy(self, cursor):
        return copy_rows(cursor, self.model._meta.db_table, self.columns, self.rows) if self.rows else 0


def write(articles, user, authorities, programmes):
    """COPY the articles into the write model (call inside a transaction); returns Written."""
    articles = list(articles)
    now = timezone.now()
    uid = user.pk
    sources = _Table(
        Source,
        ["id", "public_id", "title", "language", "published", "text", "text_sha256", "created_at", "created_by_id"],
    )
    citations = _Table(
        Citation, ["id", "source_id", "start", "end", "quote", "prefix", "suffix", "created_at", "created_by_id"]
    )
    claims = _Table(Claim, ["id", "claim_type", "created_at", "updated_at", "created_by_id"])
    entities = _Table(Entity, ["claim_ptr_id", "public_id", "kind"])
    persons = _Table(Person, ["entity_id", "title", "gender", "birth_date", "nationalities"])
    organisations = _Table(Organisation, ["entity_id", "org_kind", "countries", "parent_id"])
    names = _Table(Name, ["claim_ptr_id", "entity_id", "value", "type", "lang"])
    identifiers = _Table(Identifier, ["claim_ptr_id", "entity_id", "scheme", "value", "country"])
    relationships = _Table(Relationship, ["claim_ptr_id", "subject_id", "kind", "object_id", "role"])
    actions = _Table(
        SanctionAction,
        [
            "claim_ptr_id",
            "public_id",
            "authority_id",
            "programme_id",
            "kind",
            "status",
            "announced_date",
            "in_force_date",
            "summary",
        ],
    )
    targets = _Table(SanctionTarget, ["claim_ptr_id", "action_id", "entity_id", "measures"])
    evidence = _Table(Evidence, ["claim_id", "citation_id", "property", "created_at", "created_by_id"])

    n_claims = n_spans = 0
    for a in articles:
        n_claims += sum(1 + len(e.names) + len(e.identifiers) + len(e.relationships) for e in a.entities)
        spans = {e.span for e in a.entities}
        for e in a.entities:
            spans.update(x.span for x in (*e.names, *e.identifiers, *e.relationships))
            spans.update(e.property_spans.values())
        if a.action:
            n_claims += 1 + len(a.action.targets)
            spans.update(s for s in (a.action.span, a.action.date_span) if s)
            spans.update(s for t in a.action.targets for s in (t.span, t.measures_span) if s)
        n_spans += len(spans)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        source_ids = iter(reserve_ids(cursor, Source, len(articles)))
        citation_ids = iter(reserve_ids(cursor, Citation, n_spans))
        claim_ids = iter(reserve_ids(cursor, Claim, n_claims))

        keys = []
        for a in articles:
            source_id = next(source_ids)
            text = a.text
            sources.add(
                source_id,
                a.public_id,
                a.title,
                a.language,
                a.published,
                text,
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
                now,
                uid,
            )
            cited = {}

            # Bound per article (the defaults), so no call can see a later article's text.
            def cite(claim_id, span, prop="", cited=cited, source_id=source_id, text=text):
                citation_id = cited.get(span)
                if citation_id is None:
                    citation_id = cited[span] = next(citation_ids)
                    start, end = span
                    citations.add(
                        citation_id,
                        source_id,
                        start,
                        end,
                        text[start:end],
                        text[max(0, start - CONTEXT) : start],
                        text[end : end + CONTEXT],
                        now,
                        uid,
                    )
                evidence.add(claim_id, citation_id, prop, now, uid)

            def claim(claim_type, span):
                claim_id = next(claim_ids)
                claims.add(claim_id, claim_type, now, now, uid)
                cite(claim_id, span)
                return claim_id

            entity_pks = []
            for e in a.entities:
                pk = claim("entity", e.span)
                entity_pks.append(pk)
                entities.add(pk, e.public_id, e.kind)
                keys.append((documents.ENTITY, e.public_id))
            for e, pk in zip(a.entities, entity_pks, strict=True):
                d = e.details
                if e.kind == "person":
                    persons.add(pk, d["title"], d["gender"], d["birth_date"], d["nationalities"])
                else:
                    parent = d["parent"]
                    organisations.add(pk, d["org_kind"], d["countries"], None if parent is None else entity_pks[parent])
                for key, span in e.property_spans.items():
                    cite(pk, span, key)
                for n in e.names:
                    names.add(claim("name", n.span), pk, n.value, n.type, n.lang)
                for i in e.identifiers:
                    identifiers.add(claim("identifier", i.span), pk, i.scheme, i.value, i.country)
                for r in e.relationships:
                    relationships.add(claim("relationship", r.span), pk, r.kind, entity_pks[r.object], r.role)
            act = a.action
            if act is not None:
                action_pk = claim("sanctionaction", act.span)
                actions.add(
                    action_pk,
                    act.public_id,
                    authorities[act.authority],
                    programmes[(act.authority, act.programme)] if act.programme else None,
                    act.kind,
                    act.status,
                    act.announced_date,
                    act.in_force_date,
                    act.summary,
                )
                keys.append((documents.SANCTION, act.public_id))
                for key in ("announced_date", "in_force_date"):
                    if getattr(act, key):
                        cite(action_pk, act.date_span, key)
                for t in act.targets:
                    target_pk = claim("sanctiontarget", t.span)
                    targets.add(target_pk, action_pk, entity_pks[t.entity], t.measures)
                    for measure in t.measures:
                        cite(target_pk, t.measures_span, f"measures:{measure}")

        written = Written(keys=keys)
        # In foreign-key order: the citation check reads its source's text, details and
        # claims point at their entity.
        for table in (
            sources,
            citations,
            claims,
            entities,
            persons,
            organisations,
            names,
            identifiers,
            relationships,
            actions,
            targets,
            evidence,
        ):
            table.copy(cursor)
        # Check the deferred foreign keys of these rows now rather than at commit, so
        # their cost (one lookup per reference) counts as writing, not as publication.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return written


def publish(keys, curator, reviewer, title, comment=""):
    """Take the records through review: the curator's change set, submitted by the
    curator, approved by the reviewer (four eyes, as for any edit). Returns the change set.

    The caller's history context stays as it is (like load_seed_corpus): a nested
    context would rewrite the user of every event already recorded in it; the services
    add the workflow step, and the change set records who submitted and who approved."""
    change_set = publishing.bulk_change_set(curator, keys, title)
    publishing.submit(change_set, curator, comment=comment)
    publishing.approve(change_set, reviewer, publishing.shown_revisions(change_set))
    return change_set
