"""/api/v1/: every app's API endpoints, the OpenAPI schema and its documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from publishing.api import ChangesView, EntityViewSet, ExportView, SanctionViewSet, SourceViewSet
from screening.api import MatchView

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
# No "entities.json" twins of the routes: every endpoint answers JSON (or the browsable
# API with ?format=api), and the views don't take a format argument.
router.include_format_suffixes = False
router.register("entities", EntityViewSet, basename="entity")
router.register("sanctions", SanctionViewSet, basename="sanction")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/changes/", ChangesView.as_view(), name="changes"),
    path("v1/match/", MatchView.as_view(), name="match"),
    path("v1/exports/<str:filename>", ExportView.as_view(), name="export"),
    path("v1/schema/", SpectacularAPIView.as_view(api_version="1"), name="schema"),
    # The split view serves its start-up script as a file: the content security policy
    # allows no inline script.
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
