"""What publication tells the rest of the project.

``versions_published`` is sent inside the approving transaction, after the versions
are appended and the heads updated, with ``versions``: the PublishedVersion rows just
written (upserts and retractions, in seq order). Receivers that keep derived state
(the screening index) update it in the same transaction, so it commits or rolls back
with the publication.
"""

from django.dispatch import Signal

versions_published = Signal()
