from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from core.admin import ReadOnlyAdmin

from .models import AccessLogEntry, ApiKey, AuthFailure


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "state", "created_at", "expires_at", "last_used_at", "rate_limit"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    fields = ["name", "expires_at", "rate_limit", *readonly_fields]
    actions = ["revoke"]

    @admin.display(description="state")
    def state(self, obj):
        return obj.state

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, plain = ApiKey.objects.create_key(
            obj.name, created_by=request.user, expires_at=obj.expires_at, rate_limit=obj.rate_limit
        )
        obj.pk, obj.prefix = key.pk, key.prefix
        obj.refresh_from_db()
        obj.plain_key = plain  # for response_add only; never saved

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new key on the page answering the form, once: not in a message
        (the messages framework may keep it in a cookie), not after a redirect, and not
        to be stored by the browser or a proxy."""
        context = {**self.admin_site.each_context(request), "opts": self.opts, "key": obj, "plain_key": obj.plain_key}
        response = TemplateResponse(request, "admin/partners/apikey/created.html", {**context, "title": "New API key"})
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the access log keeps pointing at the key

    @admin.action(description="Revoke the selected API keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} API key(s); they are refused from now on.")

    def has_revoke_permission(self, request):
        return request.user.has_perm("partners.revoke_apikey")


@admin.register(AuthFailure)
class AuthFailureAdmin(ReadOnlyAdmin):
    list_display = ["window", "remote_addr", "count"]
    list_filter = ["window"]
    search_fields = ["remote_addr"]
    show_full_result_count = False


@admin.register(AccessLogEntry)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "key", "user", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method", "endpoint", "key"]
    search_fields = ["path", "request_id", "key__prefix", "key__name"]
    list_select_related = ["key", "user"]
    show_full_result_count = False
