"""The sources app's admin, one module a job: sources (and their reader), citations,
re-anchoring problems, and the mixin every claim admin shares.

Importing the modules registers their ModelAdmins. The names re-exported here are
those the apps above import from ``sources.admin``.
"""

from core.admin import AdminModelForm, DeprecatedFilter

from . import citations, reanchor, sources
from .claims import ClaimAdminMixin

__all__ = ["AdminModelForm", "ClaimAdminMixin", "DeprecatedFilter", "citations", "reanchor", "sources"]
