"""Trace pages: for an entity, a sanction action or a source, every claim with the
quotes that back it in context, where they come from and who entered them.

Read-only and server-rendered, for staff with view permission (curators, reviewers,
auditors). Each page runs a fixed number of queries however many claims and citations
it shows (see provenance.py).
"""

from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from entities.models import Entity
from sanctions.models import SanctionAction
from sources import provenance
from sources.models import ReanchorProblem, Source

from . import services as publishing
from .models import PublishedVersion

PROVENANCE_PERMS = ("sources.view_source", "sources.view_citation")


def _require_view(request, model):
    opts = model._meta
    if not request.user.has_perms([*PROVENANCE_PERMS, f"{opts.app_label}.view_{opts.model_name}"]):
        raise PermissionDenied


def _render(request, template, **context):
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "kinds": provenance.KINDS, **context}
    )


@dataclass
class TracedClaim:
    info: provenance.ClaimInfo
    quotes: list = field(default_factory=list)  # QuoteInContext
    # (key, label, [QuoteInContext]) of each published property of the claim
    properties: list = field(default_factory=list)

    @classmethod
    def of(cls, claim, quotes):
        return cls(
            provenance.ClaimInfo(claim),
            quotes.get((claim.pk, ""), []),
            [(key, label, quotes.get((claim.pk, key), [])) for key, label in claim.cited_properties()],
        )


def _record_trace(request, model, public_id, template):
    _require_view(request, model)
    record = get_object_or_404(model.trace_queryset(), public_id=public_id)
    sections = record.trace_sections()
    quotes = provenance.quotes_for_claims([c.pk for _, claims in sections for c in claims])
    sections = [(heading, [TracedClaim.of(c, quotes) for c in claims]) for heading, claims in sections]
    key = publishing.record_key(record)
    return _render(
        request,
        template,
        title=f"Trace: {record}",
        record=record,
        record_admin_url=provenance.admin_change_url(record),
        sections=sections,
        published_versions=PublishedVersion.objects.filter(record_type=key[0], record_id=key[1])
        .select_related("approved_by", "change_set__submitted_by")
        .order_by("-seq"),
        pending_item=publishing.pending_item(key),
    )


@never_cache  # like admin pages: staff-only provenance, for no shared cache and no browser's disk
@staff_member_required
def entity_trace(request, public_id):
    return _record_trace(request, Entity, public_id, "trace/entity.html")


@never_cache
@staff_member_required
def action_trace(request, public_id):
    return _record_trace(request, SanctionAction, public_id, "trace/action.html")


@never_cache
@staff_member_required
def source_trace(request, public_id):
    _require_view(request, Source)
    source = get_object_or_404(
        Source.objects.select_related("supersedes", "superseded_by").defer("supersedes__text", "superseded_by__text"),
        public_id=public_id,
    )
    views = provenance.source_citations(source)
    problems = (
        ReanchorProblem.objects.filter(Q(source=source) | Q(citation__source=source))
        .select_related("citation__source", "source", "resolved_citation", "resolved_by")
        .defer("citation__source__text", "source__text")
    )
    return _render(
        request,
        "trace/source.html",
        title=f"Trace: {source}",
        source=source,
        record_admin_url=provenance.admin_change_url(source),
        article=provenance.highlighted(source.text, views),
        citations=views,
        citation_data={v.citation.pk: v.as_json() for v in views},
        problems=list(problems),
    )
