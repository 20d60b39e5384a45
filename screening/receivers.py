"""The match index follows publication.

``publishing.signals.versions_published`` arrives inside the approving transaction, so
the index changes commit or roll back with the publication: partners are matched
against exactly what is published. Only entity versions matter; a sanction action's
versions are ignored (its targets' entity documents, republished with their new
sanctions section, come in the same batch, and sanctions don't affect matching).
"""

from publishing.models import RecordType

from . import index
from .sources import record_from_document


def follow_publication(sender, versions, **kwargs):
    upserts, removals = {}, set()
    for version in versions:  # in seq order: the last version of a record wins
        if version.record_type != RecordType.ENTITY:
            continue
        record = record_from_document(version.document)
        if record is None:  # retracted (deprecated, merged away), or left without names
            removals.add(version.record_id)
            upserts.pop(version.record_id, None)
        else:
            upserts[version.record_id] = record
            removals.discard(version.record_id)
    if removals:
        index.remove_entities(removals)
    if upserts:
        index.index_entities(upserts.values())
