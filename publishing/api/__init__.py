"""The partner API over the published model: entities and sanctions (``records``), the
change feed (``changes``), bulk exports (``exports``) and the cited sources (``sources``).
Only published versions are read: partners never see the write model."""

from .changes import ChangesView
from .exports import ExportView
from .records import EntityViewSet, SanctionViewSet
from .sources import SourceViewSet

__all__ = ["ChangesView", "EntityViewSet", "ExportView", "SanctionViewSet", "SourceViewSet"]
