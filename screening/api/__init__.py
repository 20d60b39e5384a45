"""Screening's partner API: the match endpoint (``views``) and its bodies (``serializers``)."""

from .views import MatchView

__all__ = ["MatchView"]
