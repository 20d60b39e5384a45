"""The admin of re-anchoring problems: citations a correction couldn't re-anchor with
confidence, each for a curator to place in the corrected text or drop."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from core.admin import PresetFilter

from .. import services
from .. import text as textlib
from ..models import ReanchorProblem
from .claims import claim_links_html


class ProblemStatusFilter(PresetFilter):
    title = "status"
    parameter_name = "status"
    presets = (
        ("open", "Open", Q(resolution="")),
        *[(v, label, Q(resolution=v)) for v, label in ReanchorProblem.Resolution.choices if v],
    )


class ResolveProblemForm(forms.ModelForm):
    """A curator's decision on a citation re-anchoring couldn't place: a candidate, other
    offsets in the corrected text, or no counterpart."""

    OFFSETS, DROP = "offsets", "drop"

    decision = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")
    start = forms.IntegerField(required=False, min_value=0, help_text="Code-point offset in the corrected text.")
    end = forms.IntegerField(required=False, min_value=0, help_text="Code-point offset after the last character.")

    class Meta:
        model = ReanchorProblem
        fields = ("resolution_note",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "resolution_note" not in self.fields:  # a resolved problem: shown read-only
            return
        candidates = self.instance.candidates or []
        self.fields["decision"].choices = [
            *[
                (
                    str(i),
                    f"“{Truncator(c['quote']).chars(80)}” at {c['start']}–{c['end']} (similarity {c['score']:.2f})",
                )
                for i, c in enumerate(candidates)
            ],
            (self.OFFSETS, "Place it at the offsets below"),
            (self.DROP, "The corrected text has no counterpart (say why in the note)"),
        ]
        if candidates:
            self.fields["decision"].initial = "0"
        self.fields["resolution_note"].label = "Note"

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == self.DROP:
            if not (data.get("resolution_note") or "").strip():
                self.add_error("resolution_note", "Say why the corrected text has no counterpart.")
            return data
        if decision == self.OFFSETS:
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                self.add_error("start" if start is None else "end", "Give both offsets.")
                return data
        elif decision is not None:
            candidate = self.instance.candidates[int(decision)]
            start, end = candidate["start"], candidate["end"]
        else:
            return data
        try:
            textlib.span_context(self.instance.source.text, start, end)
        except ValidationError as exc:
            self.add_error("start" if decision == self.OFFSETS else "decision", exc)
        data["start"], data["end"] = start, end
        return data


@admin.register(ReanchorProblem)
class ReanchorProblemAdmin(admin.ModelAdmin):
    """Citations a correction couldn't re-anchor with confidence, for a curator to place."""

    form = ResolveProblemForm
    list_display = ("quote_short", "old_source", "source", "reason", "status", "created_at")
    list_filter = (ProblemStatusFilter, "reason")
    search_fields = ("citation__quote", "source__public_id", "citation__source__public_id")
    list_select_related = ("citation__source", "source")
    readonly_fields = (
        "old_citation",
        "source_link",
        "reason",
        "detail",
        "claims",
        "status",
        "resolved_citation",
        "resolved_by",
        "resolved_at",
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("citation__source", "source", "resolved_by")
        match = request.resolver_match
        if match and (match.url_name or "").endswith("_changelist"):
            qs = qs.defer("citation__source__text", "source__text")
        return qs

    def has_add_permission(self, request):
        return False  # only re-anchoring makes them

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_open)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["old_citation", "claims", "source_link", "reason", "detail", "status"]})]
        if obj is not None and obj.is_open and self.has_change_permission(request, obj):
            fieldsets.append(("Decision", {"fields": ["decision", ("start", "end"), "resolution_note"]}))
        else:
            fieldsets.append(
                ("Decision", {"fields": ["resolved_citation", "resolution_note", ("resolved_by", "resolved_at")]})
            )
        return fieldsets

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        note = data.get("resolution_note", "")
        if data["decision"] == ResolveProblemForm.DROP:
            services.drop_problem(obj, request.user, note)
        else:
            services.place_problem(obj, data["start"], data["end"], request.user, note)

    @admin.display(description="old quote")
    def quote_short(self, obj):
        return Truncator(obj.citation.quote).chars(80)

    @admin.display(description="old source")
    def old_source(self, obj):
        return obj.citation.source

    @admin.display(description="status")
    def status(self, obj):
        return obj.get_resolution_display()

    @admin.display(description="old citation")
    def old_citation(self, obj):
        c = obj.citation
        return format_html(
            '{}<mark>{}</mark>{} <br><a href="{}">citation {}</a>, characters {}–{} of {}',
            c.prefix,
            c.quote,
            c.suffix,
            reverse("admin:sources_citation_change", args=[c.pk]),
            c.pk,
            c.start,
            c.end,
            c.source.public_id,
        )

    @admin.display(description="corrected source")
    def source_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">read it</a> to find the offsets)',
            reverse("admin:sources_source_change", args=[obj.source_id]),
            obj.source,
            reverse("admin:sources_source_read", args=[obj.source_id]),
        )

    @admin.display(description="claims it backs")
    def claims(self, obj):
        return claim_links_html(obj.citation.claims.all(), "None.")
