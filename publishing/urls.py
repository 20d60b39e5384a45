"""Trace pages, included under /trace/ (namespace "trace")."""

from django.urls import path

from . import trace

app_name = "trace"
urlpatterns = [
    path("entity/<str:public_id>/", trace.entity_trace, name="entity"),
    path("action/<str:public_id>/", trace.action_trace, name="action"),
    path("source/<str:public_id>/", trace.source_trace, name="source"),
]
