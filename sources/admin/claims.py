"""What every claim admin shares: ClaimAdminMixin, and the helpers that list claims
and citations in the admin.

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
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin import AdminModelForm, CreatedByAdminMixin

from ..models import Citation, Claim, Evidence
from ..provenance import admin_change_url

CLAIM_EDIT_FIELDS = ("citations", "deprecated_reason")
CLAIM_RECORD_FIELDS = ("created_at", "created_by", "updated_at", "deprecated_at")
CLAIM_FIELDS = frozenset(CLAIM_EDIT_FIELDS + CLAIM_RECORD_FIELDS + ("record", "cited_values"))

CITATIONS_HELP = (
    "Search by words of the quote or by the source's title or id. Use + to cite a span that has no citation yet."
)


def citation_choices():
    """Citations as the citations widgets list them: with their source, without its text."""
    return Citation.objects.select_related("source").defer("source__text")


def claim_evidence():
    """A claim's evidence with its citations as citation_choices() gives them."""
    return Evidence.objects.select_related("citation__source").defer("citation__source__text").order_by("id")


def has_cited_values(model):
    return model.cited_properties is not Claim.cited_properties


def _when(value):
    return formats.localize(timezone.localtime(value)) if value else "—"


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
            qs = qs.select_related("created_by").prefetch_related(Prefetch("evidence", queryset=claim_evidence()))
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
        if has_cited_values(self.model):
            extra = (*extra, "cited_values")
        return readonly + [f for f in extra if f not in readonly]

    def get_fields(self, request, obj=None):
        own = [f for f in super().get_fields(request, obj) if not (isinstance(f, str) and f in CLAIM_FIELDS)]
        if self._is_inline:
            values = ["cited_values"] if has_cited_values(self.model) else []
            return [*own, *CLAIM_EDIT_FIELDS, *values, "record"]
        return own

    def get_main_fieldsets(self, request, obj=None):
        """The model's own fieldsets; override this rather than get_fieldsets."""
        if self.fieldsets:
            return list(self.fieldsets)
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_claim_fieldsets(self, request, obj=None):
        evidence = ("Evidence", {"fields": ["citations"]})
        if has_cited_values(self.model) and obj is not None:
            evidence[1]["fields"].append("cited_values")
            evidence[1]["description"] = (
                "Citations: the words that state the claim itself. Each published value has its own "
                "(cite them in the source reader, picking the value)."
            )
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

    @admin.display(description="cited values")
    def cited_values(self, obj):
        """Each published value of the claim (a birth date, a country, a measure) with the
        quotes that back it, or a warning that none does: submission would refuse it."""
        if obj is None or obj.pk is None:
            return "—"
        values = obj.cited_properties()
        if not values:
            return "—"
        evidence = obj.evidence.all() if self._is_inline else claim_evidence().filter(claim=obj)
        quotes = {}
        for e in evidence:
            if e.property:
                quotes.setdefault(e.property, []).append(e.citation)
        items = [
            (
                label,
                format_html_join(
                    "; ",
                    "“{}” ({})",
                    ((c.quote, c.source.public_id) for c in quotes.get(key, [])),
                )
                or mark_safe('<strong class="errornote">no citation</strong>'),
            )
            for key, label in values
        ]
        return format_html('<ul class="cited-values">{}</ul>', format_html_join("", "<li>{}: {}</li>", items))

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


def claim_links_html(claims, empty):
    """The claims as a list linking each to the page where it is edited (a claim
    whose record has no admin page stays plain text); ``empty`` when there are none."""
    links = [claim_admin_link(claim) for claim in claims]
    if not links:
        return empty
    items = ((format_html('<a href="{}">{}</a>', url, label) if url else label,) for label, url in links)
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items))
