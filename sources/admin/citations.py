"""The admin of citations: CitationAdmin, its form and its list filter on corrections."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html
from django.utils.text import Truncator

from core.admin import CreatedByAdminMixin, PresetFilter, UnchangedSinceLoadedAdminMixin, UnchangedSinceLoadedForm
from core.pagination import EstimatedCountPaginator

from .. import services
from .. import text as textlib
from ..models import Citation, ReanchorProblem
from .claims import claim_links_html


class CitationForm(UnchangedSinceLoadedForm):
    class Meta:
        model = Citation
        fields = "__all__"

    def clean_source(self):
        source = self.cleaned_data.get("source")
        if source is not None and self.instance.pk is None and source.is_superseded:
            raise ValidationError(
                "This source has been superseded by %(new)s; cite the corrected text instead.",
                params={"new": source.superseded_by.public_id},
            )
        return source


class ReanchoringFilter(PresetFilter):
    """Citations a correction concerns: waiting for a curator, or moved automatically."""

    title = "corrections"
    parameter_name = "reanchoring"
    presets = (
        (
            "open",
            "Waiting for a curator (not re-anchored)",
            Exists(ReanchorProblem.objects.filter(citation=OuterRef("pk"), resolution="")),
        ),
        ("reanchored", "Re-anchored from a superseded source", Q(reanchored_from__isnull=False)),
    )


@admin.register(Citation)
class CitationAdmin(UnchangedSinceLoadedAdminMixin, CreatedByAdminMixin, admin.ModelAdmin):
    form = CitationForm
    list_display = ("quote_short", "source", "start", "end", "created_by")
    list_filter = ("metadata_field", ReanchoringFilter)
    search_fields = ("quote", "source__title", "source__public_id")
    autocomplete_fields = ("source",)
    paginator = EstimatedCountPaginator  # millions of citations at a million entities
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "created_by").defer("source__text")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "translation" in form.changed_data:
            # Published documents show translations: the records citing this need review.
            services.notify_claims_edited(list(obj.claims.values_list("pk", flat=True)), request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": ["source", ("start", "end"), "translation", "metadata_field"],
                        "description": "Give the span by its offsets in the source text (code points, end "
                        "exclusive); the quote and its context are taken from the text when you save.",
                    },
                )
            ]
        fieldsets = [
            (None, {"fields": ["source", ("start", "end"), "in_context", "translation", "metadata_field"]}),
            ("Claims citing this", {"fields": ["claims_list"]}),
            ("Record", {"fields": [("created_at", "created_by"), "reanchored_from"]}),
        ]
        return self.with_loaded_state(fieldsets, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A citation is an exact span: to cite another span, add another citation.
        return ("source", "start", "end", "in_context", "claims_list", "created_at", "created_by", "reanchored_from")

    @admin.display(description="quote")
    def quote_short(self, obj):
        return Truncator(obj.quote).chars(80)

    @admin.display(description="quote in context")
    def in_context(self, obj):
        before = "…" if obj.start > len(obj.prefix) else ""
        after = "…" if len(obj.suffix) == textlib.CONTEXT else ""  # the context stops short of the end
        return format_html("{}{}<mark>{}</mark>{}{}", before, obj.prefix, obj.quote, obj.suffix, after)

    @admin.display(description="claims")
    def claims_list(self, obj):
        return claim_links_html(obj.claims.all()[:50], "No claim cites this yet.")
