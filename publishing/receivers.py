"""What the review workflow does when the apps below it report an edit."""

from sources.models import Claim

from . import services


def review_edited_claims(sender, user, claim_ids, **kwargs):
    """Citations of these claims changed: the records whose published documents show
    them go into a change set for review. Returns the change sets used."""
    records = {services.owning_record(claim) for claim in Claim.objects.filter(pk__in=claim_ids)}
    return [services.record_edit(user, record) for record in records - {None}]
