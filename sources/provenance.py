"""Reading provenance: which claims a citation backs and where a claim's quotes stand.

Everything here loads in a fixed number of queries however many citations or claims
there are: claims are loaded per claim model in bulk (each model's display_queryset()
says what its str() and owner_record() need), never one by one through
Claim.specific(). The HTML built here escapes every piece of article text and every
name on its own (format_html), so nothing from an article is ever marked safe whole.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html, format_html_join

from . import text as textlib
from .models import Citation, Claim, ClaimProperty, Evidence, Source

# One highlight colour per kind of claim; an entity and its names share one.
HIGHLIGHT_KIND = {
    "entity": "entity",
    "name": "entity",
    "identifier": "identifier",
    "relationship": "relationship",
    "sanctionaction": "action",
    "sanctiontarget": "target",
}
KINDS = {
    "entity": "entity or name",
    "identifier": "identifier",
    "relationship": "relationship",
    "action": "sanction action",
    "target": "sanction target",
    "none": "no claim yet",
}


@cache
def claim_models():
    """claim_type -> model of every concrete claim model (Name, Entity, ...)."""
    return {
        model._meta.model_name: model for model in apps.get_models() if issubclass(model, Claim) and model is not Claim
    }


def admin_change_url(obj):
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


@dataclass
class ClaimInfo:
    """A claim as a provenance page shows it, from a row of its own model."""

    claim: Claim

    @property
    def pk(self):
        return self.claim.pk

    @property
    def type(self):
        return self.claim.claim_type

    @property
    def type_label(self):
        return str(self.claim._meta.verbose_name)

    @property
    def kind(self):
        return HIGHLIGHT_KIND[self.type]

    @property
    def label(self):
        return str(self.claim)

    @property
    def record(self):
        return self.claim.owner_record()

    @property
    def admin_url(self):
        return admin_change_url(self.record)

    @property
    def trace_url(self):
        get_url = getattr(self.record, "get_trace_url", None)
        return get_url() if get_url else None

    def as_json(self):
        return {
            "id": self.pk,
            "type": self.type_label,
            "kind": self.kind,
            "label": self.label,
            "deprecated": self.claim.is_deprecated,
            "admin_url": self.admin_url,
            "trace_url": self.trace_url,
        }


def _split_reference(value):
    value = str(value or "").strip()
    pk, _, prop = value.partition(":")
    if not pk.isdigit():
        raise ValidationError(f"{value!r} names no claim.")
    return int(pk), prop


def _checked_reference(claim, pk, prop):
    if claim is None:
        raise ValidationError(f"There is no claim {pk}.")
    if claim.is_deprecated:
        raise ValidationError(f"Claim {pk} ({claim}) is deprecated; reinstate it before citing it.")
    if prop and prop not in dict(claim.cited_properties()):
        have = ", ".join(key for key, _ in claim.cited_properties()) or "none"
        raise ValidationError(
            f"{claim._meta.verbose_name} {claim} has no value {prop!r} to cite (its cited properties: {have})."
        )
    return claim, prop


def _as_reference(claim, prop):
    return ClaimProperty(claim, prop, dict(claim.cited_properties())[prop]) if prop else claim


def claim_references(values):
    """(claims, errors) for claim references as the reader posts them: "<pk>" for the
    claim itself (its specific model: Entity, Name...), "<pk>:<property>" for one of its
    cited properties ("123:birth_date", "123:nationalities:IR"; a ClaimProperty). Each
    value once, in order; the claims loaded together (one query per claim model present,
    with what their labels need); a message for each value that is not a reference, or
    names no claim, a deprecated one, or a value it doesn't have."""
    parsed, errors = [], []
    for value in dict.fromkeys(values):
        try:
            parsed.append(_split_reference(value))
        except ValidationError as exc:
            errors.extend(exc.messages)
    types = Claim.objects.filter(pk__in={pk for pk, _ in parsed}).values_list("pk", "claim_type")
    loaded = {pk: info.claim for pk, info in load_claims(types).items()}
    claims = []
    for pk, prop in parsed:
        try:
            claims.append(_as_reference(*_checked_reference(loaded.get(pk), pk, prop)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return claims, errors


def load_claims(pairs):
    """{claim id: ClaimInfo} for (claim id, claim_type) pairs: one query per claim model
    present (plus its prefetches)."""
    by_type = defaultdict(set)
    for pk, claim_type in pairs:
        by_type[claim_type].add(pk)
    infos = {}
    for claim_type, ids in sorted(by_type.items()):
        for claim in claim_models()[claim_type].display_queryset().filter(pk__in=ids):
            infos[claim.pk] = ClaimInfo(claim)
    return infos


# ----------------------------------------------------------------- a source's citations


@dataclass(eq=False)  # hashable by identity: segments() keys pieces by it
class CitationView:
    citation: Citation
    claims: list = field(default_factory=list)  # ClaimInfo

    @property
    def kinds(self):
        kinds = dict.fromkeys(c.kind for c in self.claims)
        return list(kinds) or ["none"]

    def as_json(self):
        c = self.citation
        return {
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
            "translation": c.translation,
            "admin_url": admin_change_url(c),
            "claims": [claim.as_json() for claim in self.claims],
        }


def source_citations(source):
    """The citations of a source with the claims each backs, in text order."""
    citations = list(
        Citation.objects.filter(source=source)
        .select_related("created_by", "reanchored_from__source")
        .defer("reanchored_from__source__text")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("claim").order_by("id")))
        .order_by("start", "end")
    )
    infos = load_claims({(e.claim_id, e.claim.claim_type) for c in citations for e in c.evidence.all()})
    return [CitationView(c, [_backed(infos[e.claim_id], e.property) for e in c.evidence.all()]) for c in citations]


PROPERTY_NAMES = {"nationalities": "nationality", "countries": "country", "measures": "measure"}


def property_label(key):
    """A property key as people read it, without the claim's row: "birth date",
    "nationality: IR", "measure: asset freeze"."""
    name, _, value = key.partition(":")
    name = PROPERTY_NAMES.get(name, name.replace("_", " ").replace("org kind", "kind of organisation"))
    return f"{name}: {value.replace('_', ' ')}" if value else name


def _backed(info, prop):
    """What one evidence row backs: the claim, or one of its properties."""
    return ClaimInfo(ClaimProperty(info.claim, prop, property_label(prop))) if prop else info


def _bands(kinds):
    """Stacked underlines, one band per kind of claim covering a piece of text: band i
    takes the colour of the i-th kind (classes, not an inline style: the pages'
    content security policy allows no inline styles; see provenance.css)."""
    return " ".join(f"b{i}-{kind}" for i, kind in enumerate(kinds, start=1))


def highlighted(text, views, mentions=(), offset=0):
    """The article as HTML: every piece of text between two span boundaries is its own
    escaped span carrying the ids and kinds of all citations covering it, and the
    numbers of the suggested mentions covering it (``mentions``: objects with start,
    end and number; see screening.suggestions), drawn apart from citations.

    ``text`` may be a part of the article starting at ``offset``: citations are given in
    the article's offsets and cut to the part, mentions in the part's."""
    spans = [
        (max(0, v.citation.start - offset), min(len(text), v.citation.end - offset), v)
        for v in views
        if v.citation.start - offset < len(text) and v.citation.end - offset > 0
    ]
    spans += [(m.start, m.end, m) for m in mentions]
    parts = []
    for start, end, covering in textlib.segments(len(text), spans):
        chunk = text[start:end]
        cites = [v for v in covering if isinstance(v, CitationView)]
        marks = " ".join(str(m.number) for m in covering if not isinstance(m, CitationView))
        if not cites and not marks:
            parts.append(escape(chunk))
        elif not cites:
            parts.append(format_html('<span class="mention" data-mentions="{}">{}</span>', marks, chunk))
        else:
            kinds = [k for k in KINDS if any(k in v.kinds for v in cites)]
            parts.append(
                format_html(
                    '<span class="cite depth-{} {}{}" data-citations="{}"{}>{}</span>',
                    min(len(cites), 4),
                    _bands(kinds),
                    " mention" if marks else "",
                    " ".join(str(v.citation.pk) for v in cites),
                    format_html(' data-mentions="{}"', marks) if marks else "",
                    chunk,
                )
            )
    return format_html_join("", "{}", ((part,) for part in parts))


# ------------------------------------------------------------------ a claim's quotes


@dataclass
class QuoteInContext:
    """One citation backing a claim, with what an auditor needs to check it."""

    citation: Citation
    source: Source
    evidence: Evidence

    @property
    def sentence(self):
        text, c = self.source.text, self.citation
        s = textlib.sentence_bounds(text, c.start, c.end)
        return format_html(
            "{}{}<mark>{}</mark>{}{}",
            "…" if s.cut_before else "",
            text[s.lo : c.start],
            c.quote,
            text[c.end : s.hi],
            "…" if s.cut_after else "",
        )


def quotes_for_claims(claim_ids):
    """{(claim id, property): [QuoteInContext]} in two queries: the evidence with its
    citations and users, and the sources they quote (each text loaded once). Property
    "" holds the quotes backing the claim itself (see Evidence.property)."""
    evidence = list(
        Evidence.objects.filter(claim_id__in=claim_ids)
        .select_related("citation__created_by", "citation__reanchored_from__source", "created_by")
        .defer("citation__reanchored_from__source__text")
        .order_by("citation__source_id", "citation__start", "id")
    )
    sources = {
        s.pk: s
        for s in Source.objects.filter(pk__in={e.citation.source_id for e in evidence})
        .select_related("superseded_by")
        .defer("superseded_by__text")
    }
    quotes = defaultdict(list)
    for e in evidence:
        quotes[e.claim_id, e.property].append(QuoteInContext(e.citation, sources[e.citation.source_id], e))
    return quotes
