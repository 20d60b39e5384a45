"""Admin for entities: one page per person or organisation with all its claims.

Names, identifiers and outgoing relationships are edited as inlines of the entity
page (the one place to edit them); the Name and Relationship admins are read-only
indexes for searching across entities, linking back to that page.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core import codes
from core.pagination import EstimatedCountPaginator
from publishing.admin import PublishedRecordAdminMixin, RevisionCheckedForm
from sources.admin import AdminModelForm, ClaimAdminMixin, DeprecatedFilter

from . import duplicates
from .models import Entity, Identifier, Name, Organisation, Person, Relationship

COUNTRY_CHOICES = sorted(((code, f"{name} ({code})") for code, name in codes.COUNTRIES.items()), key=lambda c: c[1])


def entity_link(entity):
    url = reverse("admin:entities_entity_change", args=[entity.pk])
    return format_html('<a href="{}">{}</a>', url, entity.caption)


def entities_with_names():
    """Entities as choice labels need them: str(entity) shows its primary name."""
    return Entity.objects.prefetch_related("names")


class EntityChoicesMixin:
    """Foreign keys to Entity label their choices without a query per entity."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Entity and "queryset" not in kwargs:
            kwargs["queryset"] = entities_with_names()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def country_list_field(label):
    return forms.TypedMultipleChoiceField(
        label=label.capitalize(),
        choices=COUNTRY_CHOICES,
        required=False,
        widget=FilteredSelectMultiple(label, is_stacked=False),
    )


# ------------------------------------------------------------------- details inlines


class DetailsFormSet(BaseInlineFormSet):
    """Person details only for a person, organisation details only for an organisation."""

    kind = None

    def clean(self):
        super().clean()
        entity_kind = getattr(self.instance, "kind", None)
        if entity_kind and entity_kind != self.kind and any(f.has_changed() for f in self.forms):
            raise ValidationError(
                f"These are {self.kind} details, but the entity is of kind {entity_kind}. "
                "Choose the matching kind or leave the details empty."
            )


class PersonFormSet(DetailsFormSet):
    kind = Entity.Kind.PERSON


class OrganisationFormSet(DetailsFormSet):
    kind = Entity.Kind.ORGANISATION


class PersonForm(AdminModelForm):
    nationalities = country_list_field("nationalities")

    class Meta:
        model = Person
        fields = ("title", "gender", "birth_date", "nationalities")


class OrganisationForm(AdminModelForm):
    countries = country_list_field("countries")

    class Meta:
        model = Organisation
        fields = ("org_kind", "countries", "parent")


class PersonInline(admin.StackedInline):
    model = Person
    form = PersonForm
    formset = PersonFormSet
    fk_name = "entity"
    template = "admin/entities/edit_inline/details_stacked.html"
    fields = ("title", "gender", "birth_date", "nationalities")
    extra = 1
    max_num = 1
    can_delete = False


class OrganisationInline(EntityChoicesMixin, admin.StackedInline):
    model = Organisation
    form = OrganisationForm
    formset = OrganisationFormSet
    fk_name = "entity"
    template = "admin/entities/edit_inline/details_stacked.html"
    fields = ("org_kind", "countries", "parent")
    autocomplete_fields = ("parent",)
    extra = 1
    max_num = 1
    can_delete = False


# --------------------------------------------------------------------- claim inlines


DIFFERENT_ENTITY = "different_entity"  # the tick that saves a new entity despite look-alikes


class NameFormSet(BaseInlineFormSet):
    """A new entity's names are checked against every live entity, published or draft
    (``duplicates.similar_entities``): saving one that looks like an existing entity
    needs the curator's tick that it is a different one."""

    def __init__(self, *args, published=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.published = published or (lambda entities: set())  # entities → the published ones

    def clean(self):
        super().clean()
        if self.instance.pk is not None or any(self.errors) or self.data.get(DIFFERENT_ENTITY):
            return
        values = [
            f.cleaned_data["value"]
            for f in self.forms
            if f.cleaned_data.get("value") and not f.cleaned_data.get("DELETE")
        ]
        similar = duplicates.similar_entities(values, kind=self.instance.kind or None)
        if not similar:
            return
        published = self.published([s.entity for s in similar])
        kind = self.instance.kind or "entity"
        raise ValidationError(
            format_html(
                "Possible duplicates: {}. If this is not one of them, tick “This is a different {}” and save again.",
                format_html_join(
                    "; ",
                    '<a href="{}">{}</a> ({}, {}, “{}”, score {})',
                    (
                        (
                            reverse("admin:entities_entity_change", args=[s.entity.pk]),
                            s.entity.caption,
                            s.entity.public_id,
                            "published" if s.entity in published else "draft",
                            s.name,
                            f"{s.score:.2f}",
                        )
                        for s in similar
                    ),
                ),
                kind,
            ),
            code="duplicate",
        )

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.instance.pk is None and index == 0:
            kwargs["initial"] = {"type": Name.Type.PRIMARY}  # a new entity's first name
        return kwargs


class NameInline(ClaimAdminMixin, admin.TabularInline):
    model = Name
    formset = NameFormSet
    fk_name = "entity"  # claim_ptr points at Claim, a parent of Entity, too
    fields = ("value", "type", "lang")
    extra = 1


class IdentifierInline(ClaimAdminMixin, admin.TabularInline):
    model = Identifier
    fk_name = "entity"
    fields = ("scheme", "value", "country")
    extra = 0


def with_both_ends(relationships):
    """Relationships with their subject and object and both names loaded (each row shows both)."""
    return relationships.select_related("subject", "object").prefetch_related("subject__names", "object__names")


class RelationshipInline(EntityChoicesMixin, ClaimAdminMixin, admin.TabularInline):
    model = Relationship
    fk_name = "subject"
    fields = ("kind", "object", "role", "start", "end")
    autocomplete_fields = ("object",)
    extra = 0
    verbose_name_plural = "relationships (this entity is the subject)"

    def get_queryset(self, request):
        return with_both_ends(super().get_queryset(request))


# ------------------------------------------------------------------------- entities


class EntityForm(RevisionCheckedForm, AdminModelForm):
    different_entity = forms.BooleanField(
        required=False,
        label="This is a different entity",
        help_text="Tick it only when the names warn of possible duplicates and this is none of them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if DIFFERENT_ENTITY in self.fields:
            kind = self.data.get("kind") or self.initial.get("kind") or "entity"
            self.fields[DIFFERENT_ENTITY].label = f"This is a different {kind}"

    class Meta:
        model = Entity
        fields = "__all__"


@admin.register(Entity)
class EntityAdmin(PublishedRecordAdminMixin, EntityChoicesMixin, ClaimAdminMixin, admin.ModelAdmin):
    form = EntityForm
    list_display = (
        "caption_display",
        "kind",
        "public_id",
        "countries_display",
        "name_count",
        "deprecated_display",
        "updated_at",
    )
    list_filter = ("kind", "organisation__org_kind", DeprecatedFilter)
    list_select_related = ("person", "organisation")
    search_fields = ("names__value", "public_id", "identifiers__value")
    autocomplete_fields = ("merged_into",)
    readonly_fields = ("public_id", "sanctions", "related_from")
    detail_inlines = {Entity.Kind.PERSON: PersonInline, Entity.Kind.ORGANISATION: OrganisationInline}
    claim_inlines = [NameInline, IdentifierInline, RelationshipInline]

    # A million entities: no COUNT(*) of them all per page (core.pagination), and the
    # columns come from the page's own rows (names prefetched for the 100 shown), so
    # the list reads one page along the primary key, whatever the table's size.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("names", queryset=Name.objects.order_by("type", "value")))
        )

    # The kind decides which details inline the page has, so it is chosen first
    # (on the add page, or from the changelist's "Add person"/"Add organisation")
    # and fixed afterwards.
    def _kind(self, request, obj):
        if obj is not None:
            return obj.kind
        kind = request.GET.get("kind")
        return kind if kind in Entity.Kind.values else None

    def get_inlines(self, request, obj):
        kind = self._kind(request, obj)
        if kind is None:
            # Kind not chosen yet (the plain add page): both details sections, so a
            # person's details go in with the first save; the details of the kind not
            # chosen must stay empty (DetailsFormSet).
            return [*self.detail_inlines.values(), *self.claim_inlines]
        return [self.detail_inlines[kind], *self.claim_inlines]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # "New entity?" in the source reader links here with the name it found
        # (?kind=person&name=...&lang=de): it becomes the new entity's primary name.
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, NameInline):
            kwargs["published"] = self.published_records
        name = " ".join(request.GET.get("name", "").split())[: Name._meta.get_field("value").max_length]
        adding = obj is None or obj.pk is None  # the add page passes an unsaved instance
        if adding and isinstance(inline, NameInline) and request.method == "GET" and name:
            lang = request.GET.get("lang", "")
            lang = lang if lang in codes.LANGUAGES else ""
            kwargs["initial"] = [{"value": name, "type": Name.Type.PRIMARY, "lang": lang}]
        return kwargs

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("kind")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "kind" in form.base_fields and not self._kind(request, obj):
            form.base_fields[
                "kind"
            ].help_text = (
                "Person or organisation; it can't change later. Fill in the details section of that kind only."
            )
        return form

    def get_main_fieldsets(self, request, obj=None):
        if obj is None:
            # The tick shows once a save was refused (the names' duplicate warning).
            return [(None, {"fields": ["kind", "notes", *([DIFFERENT_ENTITY] if request.method == "POST" else [])]})]
        return [
            (None, {"fields": ["kind", "public_id", "notes", "merged_into"]}),
            ("Sanctions", {"fields": ["sanctions"]}),
            ("Relationships from other entities", {"fields": ["related_from"]}),
        ]

    def response_add(self, request, obj, post_url_continue=None):
        # Added from the page without a kind: go on to the entity's page, which has the
        # details section of its kind only.
        if not self._kind(request, None) and "_addanother" not in request.POST and IS_POPUP_VAR not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = 1
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description="name")
    def caption_display(self, obj):
        return obj.caption

    @admin.display(description="countries / nationalities")
    def countries_display(self, obj):
        details = obj.details()
        if details is None:
            return "—"
        codes_ = details.nationalities if obj.kind == Entity.Kind.PERSON else details.countries
        return ", ".join(codes_) or "—"

    @admin.display(description="names")
    def name_count(self, obj):
        return sum(1 for name in obj.names.all() if not name.is_deprecated)

    @admin.display(description="sanctions")
    def sanctions(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        targets = obj.sanction_targets.select_related("action__authority").order_by("action__announced_date", "id")
        measure_labels = dict(obj.sanction_targets.model._meta.get_field("measures").base_field.flatchoices)
        rows = [
            (
                reverse("admin:sanctions_sanctionaction_change", args=[t.action_id]),
                t.action.public_id,
                str(t.action.authority),
                t.action.get_kind_display(),
                t.action.get_status_display(),
                t.action.announced_date or "date unknown",
                ", ".join(str(measure_labels.get(m, m)) for m in t.measures) or "no measure named",
                " (deprecated)" if t.is_deprecated else "",
            )
            for t in targets
        ]
        if not rows:
            return "No sanction action targets this entity."
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li><a href="{}">{}</a> {}: {} ({}), {}; {}{}</li>', rows),
        )

    @admin.display(description="related from")
    def related_from(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rels = obj.inverse_relationships.select_related("subject").prefetch_related("subject__names")
        items = [
            (
                entity_link(r.subject),
                r.get_kind_display(),
                f" ({r.role})" if r.role else "",
                " (deprecated)" if r.is_deprecated else "",
            )
            for r in rels
        ]
        if not items:
            return "No other entity names this one in a relationship."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} — {} — this entity{}{}</li>", items))


# ------------------------------------------------------- read-only cross-entity lists


class ReadOnlyClaimIndexMixin(ClaimAdminMixin):
    """A searchable list across entities; each row is edited on its entity's page."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Name)
class NameAdmin(ReadOnlyClaimIndexMixin, admin.ModelAdmin):
    list_display = ("value", "type", "lang", "entity_display", "deprecated_display")
    list_filter = ("type", DeprecatedFilter)
    search_fields = ("value", "entity__public_id")
    fields = ("entity_display", "value", "type", "lang")
    readonly_fields = ("entity_display",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity").prefetch_related("entity__names")

    @admin.display(description="entity (edit names there)")
    def entity_display(self, obj):
        return entity_link(obj.entity)


@admin.register(Relationship)
class RelationshipAdmin(ReadOnlyClaimIndexMixin, admin.ModelAdmin):
    list_display = ("subject_display", "kind", "object_display", "role", "start", "end", "deprecated_display")
    list_filter = ("kind", DeprecatedFilter)
    search_fields = ("subject__names__value", "object__names__value", "role", "subject__public_id", "object__public_id")
    fields = ("subject_display", "kind", "object_display", "role", "start", "end")
    readonly_fields = ("subject_display", "object_display")

    def get_queryset(self, request):
        return with_both_ends(super().get_queryset(request))

    @admin.display(description="subject (edit relationships there)")
    def subject_display(self, obj):
        return entity_link(obj.subject)

    @admin.display(description="object")
    def object_display(self, obj):
        return entity_link(obj.object)
