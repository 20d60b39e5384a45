from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.login import ThrottledAdminAuthenticationForm, admin_login

admin.site.site_header = "Sanctions & entities"
admin.site.site_title = "Sanctions & entities"
admin.site.index_title = "Curation"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    # Before the admin's own login/ (same path and name): answers 429 while throttled.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("trace/", include("publishing.urls")),
    path("api/", include("partners.urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
