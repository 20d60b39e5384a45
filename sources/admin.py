"""Admin for sources and citations, and the pieces every claim admin shares.

ClaimAdminMixin gives any ModelAdmin or InlineModelAdmin of a Claim model:
- a ``citations`` field edited with the autocomplete multi-select (Django's admin
  leaves out an M2M with a custom ``through`` such as Claim.citations → Evidence;
  the field is built here and saved by ManyToManyField.save_form_data, i.e.
  ``.set()``, which fills Evidence.created_at from its default);
- deprecation through ``deprecated_reason`` (Claim.save stamps deprecated_at);
  a claim is never deleted, so there is no delete permission and no delete box;
- ``created_by`` stamped with the user who adds the claim, also for inline rows;
- created/updated/deprecated shown read-only.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst

from core.pagination import EstimatedCountPaginator, related_count

from . import services
from . import text as textlib
from .models import Citation, Claim, Evidence, ReanchorProblem, Source
from .provenance import admin_change_url
from .reader import SourceReaderMixin

CLAIM_EDIT_FIELDS = ("citations", "deprecated_reason")
CLAIM_RECORD_FIELDS = ("created_at", "created_by", "updated_at", "deprecated_at")
CLAIM_FIELDS = frozenset(CLAIM_EDIT_FIELDS + CLAIM_RECORD_FIELDS + ("record",))

CITATIONS_HELP = (
    "Search by words of the quote or by the source's title or id. "
    "Use + to cite a span that has no citation yet."
)


def citation_choices():
    """Citations as the citations widgets list them: with their source, without its text."""
    return Citation.objects.select_related("source").defer("source__text")


def _when(value):
    return formats.localize(timezone.localtime(value)) if value else "—"


# --------------------------------------------------------------------------- forms


class AdminModelForm(forms.ModelForm):
    """A ModelForm that shows every error a model's clean() raises.

    Django raises ValueError (a 500) when clean() names a field the form doesn't have
    (read-only or left out); such an error is shown at the top of the form instead.
    """

    def add_error(self, field, error):
        if field is None:
            if not isinstance(error, ValidationError):
                error = ValidationError(error)
            if hasattr(error, "error_dict"):
                stray = [n for n in error.error_dict if n != NON_FIELD_ERRORS and n not in self.fields]
                if stray:
                    errors = dict(error.error_dict)
                    moved = list(errors.get(NON_FIELD_ERRORS, []))
                    for name in stray:
                        label = capfirst(self._label_for(name))
                        messages_ = ValidationError(errors.pop(name)).messages
                        moved += [ValidationError(f"{label}: {msg}") for msg in messages_]
                    errors[NON_FIELD_ERRORS] = moved
                    error = ValidationError(errors)
        super().add_error(field, error)

    def _label_for(self, name):
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - any name clean() made up is still shown
            return name.replace("_", " ")


# ------------------------------------------------------------------ shared admin bits


class DeprecatedFilter(admin.SimpleListFilter):
    title = "deprecated"
    parameter_name = "deprecated"

    def lookups(self, request, model_admin):
        return [("no", "No (current)"), ("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deprecated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deprecated_at__isnull=True)
        return queryset


def used_values_filter(field_name, title=None):
    """A list filter offering only the values in use (a language filter must not list
    all of ISO 639-1), labelled with the field's choice labels when it has choices."""

    class UsedValuesFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            field = model_admin.model._meta.get_field(field_name)
            labels = dict(field.flatchoices) if field.choices else {}
            values = (
                model_admin.model._default_manager.order_by(field_name).values_list(field_name, flat=True).distinct()
            )
            return [(v, f"{labels[v]} ({v})" if v in labels else v) for v in values if v]

        def queryset(self, request, queryset):
            if self.value() is None:
                return queryset
            return queryset.filter(**{field_name: self.value()})

    UsedValuesFilter.title = title or field_name.replace("_", " ")
    UsedValuesFilter.__name__ = f"UsedValuesFilter_{field_name}"
    return UsedValuesFilter


class CreatedByAdminMixin:
    """Stamp ``created_by`` on objects added through this admin and its inlines."""

    @staticmethod
    def stamp_creator(obj, user):
        if obj._state.adding and hasattr(obj, "created_by_id") and obj.created_by_id is None:
            obj.created_by = user

    def save_model(self, request, obj, form, change):
        self.stamp_creator(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            self.stamp_creator(obj, request.user)
            obj.save()
        formset.save_m2m()


class ClaimAdminMixin(CreatedByAdminMixin):
    """For the ModelAdmin or InlineModelAdmin of any Claim model (see module docstring).

    A ModelAdmin gets the claim fields as trailing fieldsets (Evidence, Deprecation,
    Record); an inline gets them as trailing columns. Don't list ``citations`` in
    ``fields``/``fieldsets``: the admin's system check refuses an M2M with a through
    model there, which is why the mixin adds it at run time.
    """

    form = AdminModelForm
    can_delete = False  # inlines: no "Delete?" box

    @property
    def _is_inline(self):
        return isinstance(self, InlineModelAdmin)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._is_inline:
            qs = qs.select_related("created_by").prefetch_related(Prefetch("citations", queryset=citation_choices()))
        return qs

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.model is Claim and db_field.name == "citations":
            widget = AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs.setdefault("widget", widget)
            kwargs.setdefault("queryset", citation_choices())
            kwargs.setdefault("help_text", CITATIONS_HELP)
            return db_field.formfield(**kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "deprecated_reason" and self._is_inline:
            # One line in a table row: most claims are never deprecated.
            kwargs["widget"] = forms.Textarea(attrs={"rows": 1, "cols": 24})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        extra = ("record",) if self._is_inline else CLAIM_RECORD_FIELDS
        return readonly + [f for f in extra if f not in readonly]

    def get_fields(self, request, obj=None):
        own = [f for f in super().get_fields(request, obj) if not (isinstance(f, str) and f in CLAIM_FIELDS)]
        if self._is_inline:
            return [*own, *CLAIM_EDIT_FIELDS, "record"]
        return own

    def get_main_fieldsets(self, request, obj=None):
        """The model's own fieldsets; override this rather than get_fieldsets."""
        if self.fieldsets:
            return list(self.fieldsets)
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_claim_fieldsets(self, request, obj=None):
        evidence = ("Evidence", {"fields": ["citations"]})
        if obj is None:
            return [evidence]
        return [
            evidence,
            (
                "Deprecation",
                {
                    "fields": ["deprecated_reason", "deprecated_at"],
                    "description": "A claim is never deleted. To withdraw it, give the reason here; "
                    "clear the reason to reinstate it.",
                    "classes": [] if obj.deprecated_at else ["collapse"],
                },
            ),
            ("Record", {"fields": [("created_at", "created_by"), "updated_at"], "classes": ["collapse"]}),
        ]

    def get_fieldsets(self, request, obj=None):
        if self._is_inline:
            return super().get_fieldsets(request, obj)
        return [*self.get_main_fieldsets(request, obj), *self.get_claim_fieldsets(request, obj)]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.deprecated_at and request.method == "GET":
            when = _when(obj.deprecated_at)
            messages.warning(request, f"This {obj._meta.verbose_name} is deprecated ({when}): {obj.deprecated_reason}")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description="deprecated", boolean=True, ordering="deprecated_at")
    def deprecated_display(self, obj):
        return obj.is_deprecated

    @admin.display(description="record")
    def record(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        who = f"{obj.created_by}, " if obj.created_by_id else ""
        parts = [f"{who}{formats.date_format(timezone.localtime(obj.created_at), 'SHORT_DATE_FORMAT')}"]
        if obj.deprecated_at:
            parts.append(f"DEPRECATED {_when(obj.deprecated_at)}")
        return "; ".join(parts)


def claim_admin_link(claim):
    """(label, url) of the admin page where a claim is edited: names, identifiers and
    relationships live on their entity's page, targets on their action's page."""
    claim = claim.specific()
    return f"{claim._meta.verbose_name}: {claim}", admin_change_url(claim.owner_record())


# ------------------------------------------------------------------------- sources


class SourceForm(AdminModelForm):
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
            text.help_text = (
                "This source is cited, so its text can't change. Add the corrected text as a new source."
            )


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
            super().get_queryset(request)
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


class SupersededFilter(admin.SimpleListFilter):
    title = "corrections"
    parameter_name = "superseded"

    def lookups(self, request, model_admin):
        return [("no", "Current text"), ("yes", "Superseded by a corrected text")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(superseded_by__isnull=self.value() == "no")
        return queryset


@admin.register(Source)
class SourceAdmin(SourceReaderMixin, CreatedByAdminMixin, admin.ModelAdmin):
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
        return fieldsets

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

    @admin.display(description="corrections")
    def corrections(self, obj):
        rows = []
        if obj.supersedes_id:
            old = obj.supersedes
            rows.append(
                format_html(
                    'Corrects <a href="{}">{}</a>: {}',
                    reverse("admin:sources_source_change", args=[old.pk]),
                    old.public_id,
                    obj.correction_note or "(no note)",
                )
            )
            problems = obj.reanchor_problems.aggregate(
                open=Count("id", filter=models.Q(resolution="")), total=Count("id")
            )
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
            rows.append(
                format_html(
                    'Superseded by <a href="{}">{}</a>.', reverse("admin:sources_source_change", args=[new.pk]),
                    new.public_id,
                )
            )
        return format_html_join("", "<p>{}</p>", ((row,) for row in rows)) if rows else "—"


# ----------------------------------------------------------------------- citations


class CitationForm(AdminModelForm):
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


class ReanchoringFilter(admin.SimpleListFilter):
    """Citations a correction concerns: waiting for a curator, or moved automatically."""

    title = "corrections"
    parameter_name = "reanchoring"

    def lookups(self, request, model_admin):
        return [
            ("open", "Waiting for a curator (not re-anchored)"),
            ("reanchored", "Re-anchored from a superseded source"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(reanchor_problems__resolution="").distinct()
        if self.value() == "reanchored":
            return queryset.filter(reanchored_from__isnull=False)
        return queryset


@admin.register(Citation)
class CitationAdmin(CreatedByAdminMixin, admin.ModelAdmin):
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
        return [
            (None, {"fields": ["source", ("start", "end"), "in_context", "translation", "metadata_field"]}),
            ("Claims citing this", {"fields": ["claims_list"]}),
            ("Record", {"fields": [("created_at", "created_by"), "reanchored_from"]}),
        ]

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
        claims = list(obj.claims.all()[:50])
        if not claims:
            return "No claim cites this yet."
        items = []
        for claim in claims:
            label, url = claim_admin_link(claim)
            items.append(format_html('<a href="{}">{}</a>', url, label) if url else label)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


# ------------------------------------------------------------- re-anchoring problems


class ProblemStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), *[(v, label) for v, label in ReanchorProblem.Resolution.choices if v]]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolution="")
        if self.value() in ReanchorProblem.Resolution.values:
            return queryset.filter(resolution=self.value())
        return queryset


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
                (str(i), f"“{Truncator(c['quote']).chars(80)}” at {c['start']}–{c['end']} (similarity {c['score']:.2f})")
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
        "old_citation", "source_link", "reason", "detail", "claims", "status", "resolved_citation", "resolved_by",
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
            c.prefix, c.quote, c.suffix, reverse("admin:sources_citation_change", args=[c.pk]), c.pk, c.start, c.end,
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
        items = [claim_admin_link(claim) for claim in obj.citation.claims.all()]
        if not items:
            return "None."
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", (
                (format_html('<a href="{}">{}</a>', url, label) if url else label,) for label, url in items
            )),
        )
