from django.contrib import admin
from django.urls import path

admin.site.site_header = "Sanctions & entities"
admin.site.site_title = "Sanctions & entities"
admin.site.index_title = "Curation"

urlpatterns = [
    path("admin/", admin.site.urls),
]
