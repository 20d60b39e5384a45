from django.contrib import admin

from .models import LoginFailure


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
