"""The admin toolkit every app's admin shares, and the admin of core's own models.

- AdminModelForm: a ModelForm that shows every error a model's clean() raises;
- UnchangedSinceLoadedForm: refuses a save over someone else's save since the page loaded;
- PresetFilter (with null_presets), DeprecatedFilter, used_values_filter: list filters;
- CreatedByAdminMixin: stamps ``created_by`` on what an admin and its inlines add;
- ReadOnlyAdmin: the base of admins nobody edits through.
"""

import hashlib
import json

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from .models import LoginFailure

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


class UnchangedSinceLoadedForm(AdminModelForm):
    """Refuses to save over a save made since the page was loaded, naming who made it.

    For rows that have no revision counter (citations, sources): the page carries a
    digest of the editable fields as loaded; the save locks the row and compares.
    Records published through review use publishing's RevisionCheckedForm instead."""

    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_state"].initial = self._digest(self.instance)

    def _watched(self):
        return [n for n in self.fields if n != "loaded_state" and n in {f.name for f in self._meta.model._meta.fields}]

    def _digest(self, obj):
        values = {name: str(getattr(obj, f"{name}_id", getattr(obj, name, ""))) for name in self._watched()}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:32]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = type(self.instance).objects.select_for_update().get(pk=self.instance.pk)
            if self.data.get(self.add_prefix("loaded_state")) != self._digest(current):
                raise ValidationError(
                    f"This {self._meta.model._meta.verbose_name} was saved{last_saved_by(current)} while you were "
                    "editing. Your changes were not saved. Reload the page to see theirs, then edit again."
                )
        return cleaned


class UnchangedSinceLoadedAdminMixin:
    """The admin side of UnchangedSinceLoadedForm: its hidden field goes on the page
    (an admin that builds its own fieldsets passes them through ``with_loaded_state``)."""

    def get_fieldsets(self, request, obj=None):
        return self.with_loaded_state(super().get_fieldsets(request, obj), obj)

    @staticmethod
    def with_loaded_state(fieldsets, obj):
        fieldsets = list(fieldsets)
        if obj is not None:
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "loaded_state"]})
        return fieldsets


def last_saved_by(obj):
    """ " by <user> at <time>" of the row's latest history event, or ""."""
    events = apps.get_model(obj._meta.app_label, f"{type(obj).__name__}Event")
    event = events.objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context").order_by("-pgh_id").first()
    if event is None:
        return ""
    user_id = (event.pgh_context.metadata if event.pgh_context else {}).get("user")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return f"{f' by {user}' if user else ''} at {timezone.localtime(event.pgh_created_at):%H:%M:%S}"


# -------------------------------------------------------------------- list filters


class PresetFilter(admin.SimpleListFilter):
    """A list filter whose every choice stands for one fixed condition.

    ``presets`` lists (value, label, condition), the condition being anything
    QuerySet.filter() takes as an argument (a Q, an Exists).
    """

    presets = ()

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _ in self.presets]

    def queryset(self, request, queryset):
        for value, _, condition in self.presets:
            if self.value() == value:
                return queryset.filter(condition)
        return queryset


def null_presets(field_name, no_label, yes_label):
    """The presets of a yes/no filter on whether a nullable field is set."""
    return (
        ("no", no_label, Q(**{f"{field_name}__isnull": True})),
        ("yes", yes_label, Q(**{f"{field_name}__isnull": False})),
    )


class DeprecatedFilter(PresetFilter):
    title = "deprecated"
    parameter_name = "deprecated"
    presets = null_presets("deprecated_at", "No (current)", "Yes")


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


# -------------------------------------------------------------------------- admins


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows nobody adds, changes or deletes through the admin (logs, published
    versions): viewing them needs the view permission only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Recent failed logins; deleting a username's rows lifts its lockout at once."""

    list_display = ("username", "ip", "at")
    list_filter = ("at",)
    search_fields = ("username", "ip")
    ordering = ("-at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
