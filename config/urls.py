from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Sanctions & entities"
admin.site.site_title = "Sanctions & entities"
admin.site.index_title = "Curation"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("trace/", include("sources.urls")),
    path("api/", include("partners.urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
