"""Admin for authorities, programmes and sanction actions with their targets."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.text import Truncator

from entities.admin import EntityChoicesMixin
from publishing.admin import PublishedRecordAdminMixin, RevisionCheckedForm
from sources.admin import AdminModelForm, ClaimAdminMixin, DeprecatedFilter

from .models import Authority, Programme, SanctionAction, SanctionTarget


class ReferenceRecordAdmin(PublishedRecordAdminMixin, admin.ModelAdmin):
    """Authorities and programmes reach partners inside sanction documents: each save
    joins a change set like an action's, and a stale page's save is refused."""

    readonly_fields = ("public_id",)


class AuthorityForm(RevisionCheckedForm, AdminModelForm):
    class Meta:
        model = Authority
        fields = ("name", "short_name", "country", "entity")


@admin.register(Authority)
class AuthorityAdmin(EntityChoicesMixin, ReferenceRecordAdmin):
    form = AuthorityForm
    fields = ("name", "short_name", "country", "entity", "public_id")
    list_display = ("name", "short_name", "country", "entity")
    search_fields = ("name", "short_name", "public_id")
    autocomplete_fields = ("entity",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity").prefetch_related("entity__names")


class ProgrammeForm(RevisionCheckedForm, AdminModelForm):
    class Meta:
        model = Programme
        fields = ("authority", "name", "code")


@admin.register(Programme)
class ProgrammeAdmin(ReferenceRecordAdmin):
    form = ProgrammeForm
    fields = ("authority", "name", "code", "public_id")
    list_display = ("name", "code", "authority")
    list_filter = ("authority",)
    list_select_related = ("authority",)
    search_fields = ("name", "code", "public_id", "authority__name", "authority__short_name")
    autocomplete_fields = ("authority",)


class ProgrammeFilter(admin.RelatedFieldListFilter):
    """Programmes labelled "authority: name" without a query per programme."""

    def field_choices(self, field, request, model_admin):
        return [(p.pk, str(p)) for p in Programme.objects.select_related("authority")]


class SanctionTargetForm(AdminModelForm):
    measures = forms.TypedMultipleChoiceField(
        choices=SanctionTarget.Measure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked when the text names no measure.",
    )

    class Meta:
        model = SanctionTarget
        fields = ("entity", "measures")


class SanctionTargetInline(EntityChoicesMixin, ClaimAdminMixin, admin.TabularInline):
    model = SanctionTarget
    fk_name = "action"  # claim_ptr points at Claim, a parent of SanctionAction, too
    form = SanctionTargetForm
    fields = ("entity", "measures")
    autocomplete_fields = ("entity",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity", "action").prefetch_related("entity__names")


class SanctionActionForm(RevisionCheckedForm, AdminModelForm):
    class Meta:
        model = SanctionAction
        fields = "__all__"


@admin.register(SanctionAction)
class SanctionActionAdmin(PublishedRecordAdminMixin, ClaimAdminMixin, admin.ModelAdmin):
    form = SanctionActionForm
    list_display = ("public_id", "short_summary", "authority", "kind", "status", "announced_date", "target_count")
    list_filter = ("authority", "kind", "status", ("programme", ProgrammeFilter), DeprecatedFilter)
    list_select_related = ("authority", "programme__authority")
    search_fields = ("summary", "public_id", "targets__entity__names__value")
    autocomplete_fields = ("authority", "programme")
    readonly_fields = ("public_id",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("authority", "programme"),
                    ("kind", "status"),
                    ("announced_date", "in_force_date", "end_date"),
                    "summary",
                    "public_id",
                )
            },
        ),
    )
    inlines = [SanctionTargetInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(target_count=Count("targets", distinct=True))
            .order_by(*SanctionAction._meta.ordering)  # GROUP BY drops Meta.ordering
        )

    @admin.display(description="summary", ordering="summary")
    def short_summary(self, obj):
        return Truncator(obj.summary).chars(90)

    @admin.display(description="targets", ordering="target_count")
    def target_count(self, obj):
        return obj.target_count
