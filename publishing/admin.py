"""Admin for the review workflow: change sets with their diff and review buttons,
the published log, "what was published at time T", and each record's history."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from core.instants import parse_instant
from core.pagination import related_count

from . import diffs, discarding, notices, review, services
from .history import record_history
from .models import ChangeSet, ChangeSetItem, PublishedVersion
from .templatetags.publishing import pretty_json


def change_set_link(change_set):
    url = reverse("admin:publishing_changeset_change", args=[change_set.pk])
    return format_html('<a href="{}">change set #{}</a>', url, change_set.pk)


# -------------------------------------------------- editing records of the write model


class RevisionCheckedForm(forms.ModelForm):
    """A record's form carries the revision it was loaded at; saving it after
    someone else saved the record is refused with what they changed."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_revision")
            if expected is None:
                raise ValidationError("The page was loaded without its revision; reload it and edit again.")
            try:
                # Row-locked until the admin's transaction commits the save.
                services.check_revision(self.instance, expected)
            except services.StaleRecord as exc:
                raise ValidationError(str(exc)) from None
        return cleaned


class PublishedRecordAdminMixin:
    """For the admins of published records (entities, sanction actions, authorities,
    programmes): every save joins a change set, the page shows what is published and
    links to history."""

    change_form_template = "admin/publishing/record_change_form.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "expected_revision"]})
        return fieldsets

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and not form.has_changed() and not any(fs.has_changed() for fs in formsets):
            return
        change_set = services.record_edit(request.user, form.instance)
        messages.info(
            request,
            format_html(
                "Saved into {} ({}). Partners see it once a reviewer approves it.",
                change_set_link(change_set),
                change_set.get_state_display(),
            ),
        )

    @staticmethod
    def published_records(records):
        """Those of ``records`` that have a published version."""
        keys = {services.record_key(r): r for r in records}
        return {keys[key] for key in services.heads(list(keys))}

    def has_delete_permission(self, request, obj=None):
        # Published versions name the record: it stays, and a reviewed edit changes it.
        if obj is not None and services.heads([services.record_key(obj)]):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            key = services.record_key(obj)
            head = services.heads([key]).get(key)
            pending = services.pending_item(key)
            context.update(
                published_head=head,
                pending_change_set=pending.change_set if pending else None,
                discard_url=_discard_url(obj)
                if head is None and pending and discarding.may_discard(request.user, pending.change_set)
                else "",
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/discard/",
                self.admin_site.admin_view(self.discard_view),
                name=f"{opts.app_label}_{opts.model_name}_discard",
            ),
            *super().get_urls(),
        ]

    def discard_view(self, request, object_id):
        """Discard a never-published record, after a confirmation page listing what goes."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id} (discarded already?).")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        key = services.record_key(obj)
        pending = services.pending_item(key)
        if request.method == "POST":
            try:
                change_set = discarding.discard(request.user, obj, request.POST.get("reason", ""))
            except services.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]))
            messages.success(request, f"{obj} was discarded; it is no longer part of change set #{change_set.pk}.")
            return redirect("admin:publishing_changeset_change", change_set.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Discard the draft {obj}?",
            "opts": self.model._meta,
            "object": obj,
            "goes": discarding.what_goes(obj),
            "published": bool(services.heads([key])),
            "change_set": pending.change_set if pending else None,
            "blockers": discarding.blockers([key]),
        }
        return TemplateResponse(request, "admin/publishing/discard_confirmation.html", context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        key = services.record_key(obj)
        versions = (
            PublishedVersion.objects.filter(record_type=key[0], record_id=key[1])
            .select_related("approved_by", "change_set")
            .order_by("-seq")
        )
        as_of, as_of_version, as_of_error = request.GET.get("as_of", ""), None, ""
        if as_of:
            try:
                when = parse_instant(as_of)
            except ValueError as exc:
                as_of_error = str(exc)
            else:
                as_of_version = services.published_as_of(key[0], key[1], when) or False
        comparison, compare_error = _comparison(key, request.GET.get("compare", ""))
        context = {
            **self.admin_site.each_context(request),
            "comparison": comparison,
            "compare_error": compare_error,
            "title": f"History of {obj}",
            "opts": self.model._meta,
            "object": obj,
            "rows": record_history(obj),
            "versions": versions,
            "as_of": as_of,
            "as_of_version": as_of_version,
            "as_of_error": as_of_error,
        }
        return TemplateResponse(request, "admin/publishing/record_history.html", context)


def _discard_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_discard", args=[record.pk])


def _comparison(key, asked):
    """(comparison, error) of the record's published version ``asked`` (a number) with
    the one before it, rendered as the review page renders changes."""
    if not asked:
        return None, ""
    number = int(asked) if asked.isdigit() and len(asked) < 10 else 0
    versions = {
        v.version: v
        for v in PublishedVersion.objects.filter(
            record_type=key[0], record_id=key[1], version__in=[number - 1, number]
        ).select_related("approved_by")
    }
    if number < 2 or len(versions) < 2:
        return None, f"There is no published version {asked!r} with one before it to compare."
    before, after = versions[number - 1], versions[number]
    row = {
        "key": key,
        "changes": diffs.diff_documents(
            None if before.operation == PublishedVersion.Operation.RETRACT else before.document,
            None if after.operation == PublishedVersion.Operation.RETRACT else after.document,
        ),
    }
    (row,) = review.render_rows([row])
    return {
        "before": before,
        "after": after,
        "changes": row["changes"],
        "before_label": f"v{before.version}",
        "after_label": f"v{after.version}",
    }, ""


# ---------------------------------------------------------------------- change sets


@admin.register(ChangeSet)
class ChangeSetAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "state",
        "created_by",
        "editor_list",
        "record_count",
        "submitted_at",
        "approved_by",
        "approved_at",
    )
    list_filter = ("state",)
    search_fields = ("title", "items__record_id")
    fields = ("title",)
    change_form_template = "admin/publishing/changeset/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by", "approved_by")
            .prefetch_related("editors__user")
            .annotate(record_count=related_count(ChangeSetItem, "change_set"))
        )

    @admin.display(description="editors")
    def editor_list(self, obj):
        return ", ".join(str(e.user) for e in obj.editors.all())

    @admin.display(description="records", ordering="record_count")
    def record_count(self, obj):
        return obj.record_count

    def has_add_permission(self, request):
        return False  # a change set is started by a curator's first edit

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_open)

    def get_urls(self):
        return [
            re_path(
                r"^(?P<pk>\d+)/(?P<decision>submit|approve|reject)/$",
                self.admin_site.admin_view(self.decide),
                name="publishing_changeset_decide",
            ),
            path(
                "<int:pk>/abandon/",
                self.admin_site.admin_view(self.abandon_view),
                name="publishing_changeset_abandon",
            ),
            *super().get_urls(),
        ]

    def abandon_view(self, request, pk):
        """Abandon a change set, after a confirmation page listing what is discarded and
        what is put back as published."""
        change_set = get_object_or_404(ChangeSet, pk=pk)
        if not self.has_view_or_change_permission(request, change_set):
            raise PermissionDenied
        if request.method == "POST":
            try:
                discarding.abandon(change_set, request.user, request.POST.get("reason", ""))
            except services.WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"Change set #{pk} abandoned.")
            return redirect("admin:publishing_changeset_change", pk)
        keys = services.pending_keys(change_set)
        published = services.heads(keys)
        names = review.captions([{"key": key, "changes": []} for key in keys])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Abandon change set #{pk}?",
            "opts": self.model._meta,
            "change_set": change_set,
            "drafts": [(key, names.get(key[1], "")) for key in keys if key not in published],
            "reverted": [(key, names.get(key[1], ""), published[key]) for key in keys if key in published],
            "may_abandon": discarding.may_abandon(request.user, change_set),
        }
        return TemplateResponse(request, "admin/publishing/changeset/abandon_confirmation.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change_set = get_object_or_404(ChangeSet, pk=object_id)
        if not self.has_view_or_change_permission(request, change_set):
            raise PermissionDenied
        rows = services.review_diff(change_set)
        keys = [row["key"] for row in rows]  # the pending records, whose revisions approval checks
        if not rows and change_set.state == ChangeSet.State.PUBLISHED:
            rows = review.published_rows(change_set)  # what was approved stays readable
        abandoned_items = (
            change_set.items.order_by("record_type", "record_id")
            if change_set.state == ChangeSet.State.ABANDONED
            else []
        )
        urls = _record_admin_urls([row["key"] for row in rows])
        user = request.user
        may_discard = discarding.may_discard(user, change_set)
        for row in review.render_rows(rows):
            row["admin_url"] = urls.get(row["key"], "")
            if may_discard and row.get("draft") and not row.get("published") and row["admin_url"]:
                row["discard_url"] = row["admin_url"].rstrip("/").rsplit("/", 1)[0] + "/discard/"
        editor_ids = services.editor_ids(change_set)
        # A returned change set, opened: the banner about it has done its job (notices).
        notices.opened(request, change_set)
        extra = {
            "rows": rows,
            "revisions_json": json.dumps(services.current_revisions(keys)),
            "decisions": change_set.decisions.select_related("user"),
            "editors": change_set.editors.select_related("user"),
            "can_submit": change_set.is_open and user.has_perm("publishing.submit_changeset") and user.pk in editor_ids,
            "can_review": change_set.state == ChangeSet.State.SUBMITTED
            and user.has_perm("publishing.review_changeset")
            and user.pk not in editor_ids,
            "is_editor": user.pk in editor_ids,
            "may_abandon": discarding.may_abandon(user, change_set),
            "abandoned_items": abandoned_items,
            "published_versions": change_set.published_versions.order_by("seq"),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def decide(self, request, pk, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        change_set = get_object_or_404(ChangeSet, pk=pk)
        comment = request.POST.get("comment", "")
        try:
            if decision == "submit":
                services.submit(change_set, request.user, comment)
                messages.success(request, f"Change set #{pk} submitted for review.")
            elif decision == "approve":
                shown = _shown_revisions(request.POST.get("revisions"))
                services.approve(change_set, request.user, shown, comment)
                messages.success(request, f"Change set #{pk} approved and published.")
            elif decision == "reject":
                services.reject(change_set, request.user, comment)
                messages.success(request, f"Change set #{pk} sent back to its curators.")
            else:
                raise PermissionDenied(f"Unknown decision {decision!r}.")
        except (services.WorkflowError, ValueError) as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            if not str(exc):
                raise
            messages.error(request, str(exc))
            return TemplateResponse(
                request,
                "admin/publishing/changeset/refused.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Refused",
                    "message": str(exc),
                    "change_set": change_set,
                    "opts": self.model._meta,
                },
                status=403,
            )
        return redirect("admin:publishing_changeset_change", pk)


def _shown_revisions(raw):
    """The review page's {"type:id": revision} of what the reviewer saw; ValueError for
    anything else (a hand-made or truncated form)."""
    try:
        shown = json.loads(raw or "{}")
    except (ValueError, RecursionError):
        shown = None
    if not isinstance(shown, dict) or not all(type(v) is int for v in shown.values()):
        raise ValueError(
            "The form field revisions is not what the review page sends (each record's revision by type:id); "
            "reload the review page and decide again."
        )
    return shown


def _record_admin_urls(keys):
    """(type, id) → the record's admin page, one query per record type."""
    urls = {}
    for record_type, model in services.RECORD_MODELS.items():
        ids = [rid for rtype, rid in keys if rtype == record_type]
        opts = model._meta
        for public_id, pk in model.objects.filter(public_id__in=ids).values_list("public_id", "pk"):
            urls[(record_type, public_id)] = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return urls


# ------------------------------------------------------------------ published model


@admin.register(PublishedVersion)
class PublishedVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "record_type",
        "record_id",
        "version",
        "operation",
        "change_set_display",
        "approved_by",
        "published_at",
    )
    list_filter = ("record_type", "operation")
    search_fields = ("record_id",)
    list_select_related = ("approved_by", "change_set")
    readonly_fields = (*list_display, "content_hash", "document_display")
    fields = readonly_fields
    show_full_result_count = False  # no COUNT(*) over the whole log

    class Media:
        css = {"all": ["publishing/review.css"]}

    @admin.display(description="change set")
    def change_set_display(self, obj):
        return change_set_link(obj.change_set)

    @admin.display(description="document")
    def document_display(self, obj):
        return format_html("<pre class='document'>{}</pre>", pretty_json(obj.document))
