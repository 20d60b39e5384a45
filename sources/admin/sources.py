"""The admin of sources: SourceAdmin (with the reader views of SourceReaderMixin),
its form, its read-only list of citations and its list filter on corrections."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from core.admin import (
    CreatedByAdminMixin,
    PresetFilter,
    UnchangedSinceLoadedAdminMixin,
    UnchangedSinceLoadedForm,
    null_presets,
    used_values_filter,
)
from core.pagination import EstimatedCountPaginator, related_count

from ..models import Citation, Evidence, Source
from .importing import ArticleImportMixin
from .reader import SourceReaderMixin


class SourceForm(UnchangedSinceLoadedForm):
    class Meta:
        model = Source
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text = self.fields.get("text")
        if text is None:
            return
        text.strip = False  # the text is kept exactly, leading/trailing blanks included
        if self.instance.pk and self.instance.citations.exists():
            text.widget.attrs["readonly"] = True
            text.help_text = "This source is cited, so its text can't change. Add the corrected text as a new source."


class CitationInline(admin.TabularInline):
    """The source's citations, read-only: a citation is made on its own page."""

    model = Citation
    fields = ("quote_short", "start", "end", "claim_count", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "citations of this source"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by", "source")
            .defer("source__text")
            .annotate(claim_count=related_count(Evidence, "citation"))
        )

    @admin.display(description="quote")
    def quote_short(self, obj):
        return Truncator(obj.quote).chars(120)

    @admin.display(description="claims")
    def claim_count(self, obj):
        return obj.claim_count


class SupersededFilter(PresetFilter):
    title = "corrections"
    parameter_name = "superseded"
    presets = null_presets("superseded_by", "Current text", "Superseded by a corrected text")


@admin.register(Source)
class SourceAdmin(
    ArticleImportMixin, SourceReaderMixin, UnchangedSinceLoadedAdminMixin, CreatedByAdminMixin, admin.ModelAdmin
):
    form = SourceForm
    list_display = ("title_display", "publisher", "language", "published", "citation_count", "short_sha256")
    list_filter = (used_values_filter("language"), used_values_filter("publisher"), SupersededFilter)
    search_fields = ("title", "publisher", "public_id")
    readonly_fields = ("public_id", "text_sha256", "created_at", "created_by", "add_citation", "corrections")
    inlines = [CitationInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("title", "publisher", "author", "url", ("language", "published"), "retrieved_at")}),
            ("Text", {"fields": ("text", "text_sha256", "add_citation")}),
            ("Record", {"fields": ("public_id", ("created_at", "created_by"))}),
        ]
        if obj is not None and (obj.supersedes_id or obj.is_superseded):
            fieldsets.insert(2, ("Corrections", {"fields": ("corrections",)}))
        return self.with_loaded_state(fieldsets, obj)

    # A million entities come with tens of thousands of sources and millions of citations.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request).annotate(citation_count=related_count(Citation, "source"))
        match = request.resolver_match
        if match and (match.url_name or "").endswith(("_changelist", "autocomplete")):
            qs = qs.defer("text")  # lists show no article text; don't load megabytes of it
        return qs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.is_superseded and request.method == "GET":
            messages.warning(
                request,
                f"This source has been superseded by {obj.superseded_by.public_id}; "
                "its citations stay, new ones go to the corrected text.",
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def response_add(self, request, obj, post_url_continue=None):
        # A new article is added to be read and cited: plain "Save" opens it in the
        # reader; "Save and continue" / "Save and add another" keep their meaning.
        if "_continue" in request.POST or "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, f"{obj} was added: select the words that state each fact.")
        return HttpResponseRedirect(reverse("admin:sources_source_read", args=[obj.pk]))

    @admin.display(description="title", ordering="title")
    def title_display(self, obj):
        return obj.title or "(untitled)"

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count

    @admin.display(description="SHA-256")
    def short_sha256(self, obj):
        return obj.text_sha256[:12]

    @admin.display(description="cite")
    def add_citation(self, obj):
        if obj is None or obj.pk is None:
            return "Save the source first, then cite spans of its text."
        reader = reverse("admin:sources_source_read", args=[obj.pk])
        url = reverse("admin:sources_citation_add") + f"?source={obj.pk}"
        return format_html(
            '<a href="{}">Read the text and cite a selection</a> · '
            '<a class="addlink" href="{}">Add a citation by offsets</a>',
            reader,
            url,
        )

    @staticmethod
    def _source_link(source):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:sources_source_change", args=[source.pk]), source.public_id
        )

    @admin.display(description="corrections")
    def corrections(self, obj):
        rows = []
        if obj.supersedes_id:
            old = obj.supersedes
            rows.append(format_html("Corrects {}: {}", self._source_link(old), obj.correction_note or "(no note)"))
            problems = obj.reanchor_problems.aggregate(open=Count("id", filter=Q(resolution="")), total=Count("id"))
            if problems["total"]:
                url = reverse("admin:sources_reanchorproblem_changelist") + f"?source__id__exact={obj.pk}"
                rows.append(
                    format_html(
                        '<a href="{}">{} citation(s) re-anchoring could not place</a>, {} still open.',
                        url,
                        problems["total"],
                        problems["open"],
                    )
                )
        if obj.is_superseded:
            new = obj.superseded_by
            rows.append(format_html("Superseded by {}.", self._source_link(new)))
        return format_html_join("", "<p>{}</p>", ((row,) for row in rows)) if rows else "—"
