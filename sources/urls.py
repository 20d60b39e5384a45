"""Trace pages, included under /trace/ (namespace "trace")."""
from django.urls import path

from . import views

app_name = "trace"
urlpatterns = [
    path("entity/<str:public_id>/", views.entity_trace, name="entity"),
    path("action/<str:public_id>/", views.action_trace, name="action"),
    path("source/<str:public_id>/", views.source_trace, name="source"),
]
