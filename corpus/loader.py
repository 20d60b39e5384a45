"""Load the curated seed corpus (data/corpus.yaml + data/articles/) into the write model.

Everything is checked before anything is written, the write runs in one
transaction, and a second load changes nothing: records are found by stable keys
(public ids derived from the file's keys) and saved only when a value differs.
Errors name the file and line.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from core import history
from core.ids import derived_public_id
from core.roles import role_user
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from publishing import services as publishing
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Evidence, Source
from sources.text import find_quote, normalise

DATA_DIR = Path(__file__).resolve().parent / "data"
# field of the file → the property key its citations back (Claim.cited_properties)
PERSON_PROPERTIES = {"title": "title", "gender": "gender", "birth_date": "birth_date", "nationalities": "nationalities"}
ORGANISATION_PROPERTIES = {"org_kind": "org_kind", "countries": "countries"}
ACTION_PROPERTIES = {"announced": "announced_date", "in_force": "in_force_date", "end": "end_date"}


class CorpusError(Exception):
    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping so errors can point at it."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class Stats:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    change_set: object = None

    def count(self, bucket, model, n=1):
        name = str(model._meta.verbose_name_plural)
        bucket[name] = bucket.get(name, 0) + n

    @property
    def changed(self):
        return bool(self.created or self.updated)


class Loader:
    def __init__(self, path=None, articles_dir=None, curator="curator", reviewer="reviewer"):
        self.curator_username, self.reviewer_username = curator, reviewer
        self.touched = {}
        self.path = Path(path or DATA_DIR / "corpus.yaml")
        self.articles_dir = Path(articles_dir or self.path.parent / "articles")
        self.stats = Stats()
        self.sources = {}
        self.entities = {}
        self.authorities = {}
        self.programmes = {}
        self.user = None

    # -- helpers ---------------------------------------------------------------------------

    def fail(self, node, message):
        line = node.get("__line__", "?") if isinstance(node, dict) else "?"
        raise CorpusError(self.path, line, message)

    def field(self, node, name, default="", required=False):
        value = node.get(name, default)
        if value is None:
            value = default
        if required and value in ("", None, [], {}):
            self.fail(node, f"'{name}' is required")
        return value

    def upsert(self, model, lookup, values, node, create=None):
        """Create (with ``create`` too), or update only the fields of ``values`` that
        differ; validate with the model's rules."""
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **(create or {}))
        changed = created
        for key, value in values.items():
            if getattr(obj, key, None) != value:  # None: an unset foreign key
                setattr(obj, key, value)
                changed = True
        if not changed:
            return obj
        if created and hasattr(obj, "created_by_id"):
            obj.created_by = self.user
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self.fail(node, f"{model.__name__}: {'; '.join(_flatten(exc))}")
        obj.save()
        self.stats.count(self.stats.created if created else self.stats.updated, model)
        if isinstance(obj, Citation):
            for claim in obj.claims.all():
                self.touch(claim)
        else:
            self.touch(obj)
        return obj

    def touch(self, obj):
        """Remember the record (entity or action) whose document this change shows."""
        record = publishing.owning_record(obj)
        if record is not None:
            self.touched[publishing.record_key(record)] = record

    def cite(self, claim, node, required=True):
        refs = self.field(node, "cite", default=[])
        if required and not refs:
            self.fail(node, "every claim needs at least one citation ('cite')")
        self.link(claim, [self.citation(ref) for ref in refs])

    def link(self, claim, citations, prop=""):
        """Evidence from the claim (or its property ``prop``) to each citation."""
        have = set(Evidence.objects.filter(claim=claim, property=prop).values_list("citation_id", flat=True))
        missing = list({c.pk: c for c in citations if c.pk not in have}.values())
        if missing:
            Evidence.objects.bulk_create(
                Evidence(claim=claim, citation=c, property=prop, created_by=self.user) for c in missing
            )
            self.stats.count(self.stats.created, Evidence, len(missing))
            self.touch(claim)

    def cite_properties(self, claim, node, fields):
        """Evidence for each non-empty property: ``fields`` maps a field of the file to
        the property key it is published as (Evidence.property). A single value quotes
        its words in ``<field>_cite`` (a list like ``cite``); a list of values (countries,
        measures) in ``<field>_cite: {value: [...]}``. A value without a quote, or a quote
        of no value, is refused: every published value cites the words that state it."""
        for name, key in fields.items():
            value, quotes = self.field(node, name), self.field(node, f"{name}_cite", default=None)
            if isinstance(value, list):
                quotes = quotes if quotes is not None else {}
                if not isinstance(quotes, dict):
                    self.fail(node, f"'{name}_cite' must map each of {name} to its quotes, e.g. {{{value[0]}: [...]}}")
                extra = set(quotes) - {"__line__"} - set(value)
                if extra:
                    self.fail(node, f"'{name}_cite' quotes {', '.join(sorted(extra))}, which '{name}' does not list")
                for item in value:
                    if not quotes.get(item):
                        self.fail(node, f"'{name}' lists {item}, so '{name}_cite' must quote the words that state it")
                    self.link(claim, [self.citation(ref) for ref in quotes[item]], f"{key}:{item}")
            elif value not in ("", None):
                if not quotes:
                    self.fail(node, f"'{name}' is set, so '{name}_cite' must quote the words that state it")
                self.link(claim, [self.citation(ref) for ref in quotes], key)
            elif quotes:
                self.fail(node, f"'{name}_cite' quotes a value, but '{name}' is empty")

    def citation(self, ref, metadata_field=""):
        if not isinstance(ref, dict):
            raise CorpusError(self.path, "?", f"a citation must be a mapping with source and quote, got {ref!r}")
        source = self.sources.get(ref.get("source"))
        if source is None:
            self.fail(ref, f"unknown source {ref.get('source')!r}")
        quote = normalise(str(self.field(ref, "quote", required=True)))
        try:
            start = find_quote(source.text, quote, ref.get("nth"))
        except ValidationError as exc:
            self.fail(ref, f"source {ref['source']}: {exc.messages[0]}")
        values = {"translation": self.field(ref, "translation")}
        if metadata_field:
            values["metadata_field"] = metadata_field
        return self.upsert(Citation, {"source": source, "start": start, "end": start + len(quote)}, values, ref)

    def entity(self, node, key_field, required=True):
        key = self.field(node, key_field, required=required)
        if not key:
            return None
        if key not in self.entities:
            self.fail(node, f"unknown entity {key!r} in '{key_field}'")
        return self.entities[key]

    # -- sections --------------------------------------------------------------------------

    def load_sources(self, sources):
        for key, node in _entries(sources):
            path = self.articles_dir / self.field(node, "file", required=True)
            if not path.is_file():
                self.fail(node, f"article file {path} not found")
            text = normalise(path.read_text(encoding="utf-8"))
            values = {
                "text": text,
                "language": self.field(node, "language", required=True),
                **{name: str(self.field(node, name)) for name in ("title", "publisher", "published", "author", "url")},
            }
            source = self.upsert(Source, {"public_id": derived_public_id("src", key)}, values, node)
            self.sources[key] = source
            for name in ("title", "publisher", "published", "author"):
                quote = self.field(node, f"{name}_cite")
                if values[name] and not quote:
                    self.fail(node, f"'{name}' is set, so '{name}_cite' must quote the words that show it")
                if quote:
                    ref = {"source": key, "quote": quote, "__line__": node["__line__"]}
                    self.citation(ref, metadata_field=name)

    def load_entities(self, entities):
        # Two passes: create every entity first so that parents can point forward.
        for key, node in _entries(entities):
            kind = self.field(node, "kind", required=True)
            self.entities[key] = self.upsert(Entity, {"public_id": derived_public_id("ent", key)}, {"kind": kind}, node)
        for key, node in _entries(entities):
            entity = self.entities[key]
            self.cite(entity, node)
            if entity.kind == Entity.Kind.PERSON:
                self.upsert(
                    Person,
                    {"entity": entity},
                    {
                        "title": self.field(node, "title"),
                        "gender": self.field(node, "gender"),
                        "birth_date": str(self.field(node, "birth_date")),
                        "nationalities": list(self.field(node, "nationalities", default=[])),
                    },
                    node,
                )
                self.cite_properties(entity, node, PERSON_PROPERTIES)
            else:
                self.upsert(
                    Organisation,
                    {"entity": entity},
                    {
                        "org_kind": self.field(node, "org_kind", required=True),
                        "countries": list(self.field(node, "countries", default=[])),
                        "parent": self.entity(node, "parent", required=False),
                    },
                    node,
                )
                self.cite_properties(entity, node, ORGANISATION_PROPERTIES)
            names = self.field(node, "names", required=True)
            if sum(1 for n in names if n.get("type") == Name.Type.PRIMARY) != 1:
                self.fail(node, f"entity {key!r} needs exactly one primary name")
            for name_node in names:
                value = normalise(" ".join(str(self.field(name_node, "value", required=True)).split()))
                name = self.upsert(
                    Name,
                    {
                        "entity": entity,
                        "value": value,
                        "type": self.field(name_node, "type", required=True),
                        "lang": self.field(name_node, "lang"),
                    },
                    {},
                    name_node,
                )
                self.cite(name, name_node)
            for ident in self.field(node, "identifiers", default=[]):
                identifier = self.upsert(
                    Identifier,
                    {
                        "entity": entity,
                        "scheme": self.field(ident, "scheme", required=True),
                        "value": str(self.field(ident, "value", required=True)),
                    },
                    {"country": self.field(ident, "country")},
                    ident,
                )
                self.cite(identifier, ident)

    def load_relationships(self, relationships):
        for node in relationships:
            relationship = self.upsert(
                Relationship,
                {
                    "subject": self.entity(node, "subject"),
                    "kind": self.field(node, "kind", required=True),
                    "object": self.entity(node, "object"),
                    "role": self.field(node, "role"),
                },
                {"start": str(self.field(node, "start")), "end": str(self.field(node, "end"))},
                node,
            )
            self.cite(relationship, node)

    def load_authorities(self, authorities, programmes):
        for key, node in _entries(authorities):
            self.authorities[key] = self.upsert(
                Authority,
                {"name": self.field(node, "name", required=True)},
                {
                    "short_name": self.field(node, "short_name"),
                    "country": self.field(node, "country"),
                    "entity": self.entity(node, "entity", required=False),
                },
                node,
                create={"public_id": derived_public_id("auth", key)},
            )
        for key, node in _entries(programmes):
            authority = self.authorities.get(self.field(node, "authority", required=True))
            if authority is None:
                self.fail(node, f"unknown authority {node['authority']!r}")
            self.programmes[key] = self.upsert(
                Programme,
                {"authority": authority, "name": self.field(node, "name", required=True)},
                {"code": self.field(node, "code")},
                node,
                create={"public_id": derived_public_id("prog", key)},
            )

    def load_actions(self, actions):
        for key, node in _entries(actions):
            authority = self.authorities.get(self.field(node, "authority", required=True))
            if authority is None:
                self.fail(node, f"unknown authority {node['authority']!r}")
            programme_key = self.field(node, "programme")
            if programme_key and programme_key not in self.programmes:
                self.fail(node, f"unknown programme {programme_key!r}")
            action = self.upsert(
                SanctionAction,
                {"public_id": derived_public_id("act", key)},
                {
                    "authority": authority,
                    "programme": self.programmes.get(programme_key),
                    "kind": self.field(node, "kind", required=True),
                    "status": self.field(node, "status", required=True),
                    "announced_date": str(self.field(node, "announced")),
                    "in_force_date": str(self.field(node, "in_force")),
                    "end_date": str(self.field(node, "end")),
                    "summary": self.field(node, "summary", required=True),
                },
                node,
            )
            self.cite(action, node)
            self.cite_properties(action, node, ACTION_PROPERTIES)
            for target_node in self.field(node, "targets", default=[]):
                target = self.upsert(
                    SanctionTarget,
                    {"action": action, "entity": self.entity(target_node, "entity")},
                    {"measures": list(self.field(target_node, "measures", default=[]))},
                    target_node,
                )
                self.cite(target, target_node)
                self.cite_properties(target, target_node, {"measures": "measures"})

    # -- entry point -----------------------------------------------------------------------

    def read(self):
        try:
            data = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise CorpusError(self.path, mark.line + 1 if mark else "?", str(exc.problem)) from None
        except OSError as exc:
            raise CorpusError(self.path, 0, exc.strerror) from None
        if not isinstance(data, dict):
            raise CorpusError(self.path, 1, "the file must be a mapping with sources, entities, ...")
        return data

    def load(self):
        """Write the corpus and publish what changed through the review workflow, as
        any curator's edits are: the curator's change set, submitted, then approved
        by the reviewer. One transaction: all of it is published, or nothing."""
        data = self.read()
        with transaction.atomic(), history.context(reason=f"seed corpus {self.path.name}"):
            self.user = role_user(self.curator_username, "curator")
            reviewer = role_user(self.reviewer_username, "reviewer")
            history.context(user=self.user.pk)
            self.load_sources(data.get("sources") or {})
            self.load_entities(data.get("entities") or {})
            self.load_relationships(data.get("relationships") or [])
            self.load_authorities(data.get("authorities") or {}, data.get("programmes") or {})
            self.load_actions(data.get("actions") or {})
            if self.touched:
                self.stats.change_set = self.publish(reviewer)
        return self.stats

    def publish(self, reviewer):
        change_sets = {publishing.record_edit(self.user, record) for record in self.touched.values()}
        if len(change_sets) > 1:
            others = sorted(cs.pk for cs in change_sets if cs.created_by_id != self.user.pk)
            raise CorpusError(
                self.path,
                0,
                f"records of the corpus have unreviewed edits in change set(s) {others}; approve or reject those first",
            )
        change_set = change_sets.pop()
        change_set.title = change_set.title or f"Seed corpus ({self.path.name})"
        change_set.save(update_fields=["title"])
        try:
            publishing.submit(change_set, self.user, comment="Loaded from the curated seed corpus.")
            publishing.approve(change_set, reviewer, publishing.shown_revisions(change_set))
        except publishing.WorkflowError as exc:
            raise CorpusError(self.path, 0, str(exc)) from None
        return change_set


def _entries(mapping):
    """(key, node) pairs of a keyed section, without the line number the reader adds."""
    return ((key, node) for key, node in mapping.items() if key != "__line__")


def _flatten(exc):
    if hasattr(exc, "error_dict"):
        return [f"{name}: {msg}" for name, errors in exc.message_dict.items() for msg in errors]
    return exc.messages
