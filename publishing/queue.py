"""The work waiting for a user, shown on the admin's home page: the change sets they may
review, and their own open change sets, those a reviewer sent back first, with why.

A fixed number of queries whatever the number of change sets: counts, the last
decision and its reviewer come as subqueries of the one query per list.
"""

from django.db.models import Exists, OuterRef, Q, Subquery

from core.pagination import related_count

from .models import ChangeSet, ChangeSetEditor, ChangeSetItem, Decision

SHOWN = 20  # per list; the change set list has the rest


def last_decision(field):
    """A subquery: ``field`` of the change set's last decision."""
    return Subquery(Decision.objects.filter(change_set=OuterRef("pk")).order_by("-at", "-id").values(field)[:1])


def to_review(user):
    """Submitted change sets ``user`` may review, oldest first: none they edited (four eyes)."""
    if not user.has_perm("publishing.review_changeset"):
        return None
    edited = ChangeSetEditor.objects.filter(change_set=OuterRef("pk"), user=user)
    return list(
        ChangeSet.objects.filter(state=ChangeSet.State.SUBMITTED)
        .exclude(Q(created_by=user) | Q(submitted_by=user) | Exists(edited))
        .select_related("submitted_by")
        .annotate(record_count=related_count(ChangeSetItem, "change_set"))
        .order_by("submitted_at", "id")[:SHOWN]
    )


def open_sets_of(user):
    """The open change sets ``user`` made or edited."""
    edited = ChangeSetEditor.objects.filter(change_set=OuterRef("pk"), user=user)
    return ChangeSet.objects.filter(Q(created_by=user) | Exists(edited), state=ChangeSet.State.OPEN)


def own_open(user):
    """``user``'s open change sets (made or edited by them), rejected ones first, each
    with the last decision's kind, comment, reviewer and time."""
    change_sets = list(
        open_sets_of(user)
        .annotate(
            record_count=related_count(ChangeSetItem, "change_set"),
            last_kind=last_decision("kind"),
            last_comment=last_decision("comment"),
            last_by=last_decision("user__username"),
            last_at=last_decision("at"),
        )
        .order_by("-id")[:SHOWN]
    )
    for change_set in change_sets:
        change_set.rejected = change_set.last_kind == Decision.Kind.REJECT
    return sorted(change_sets, key=lambda c: not c.rejected)  # stable: newest first within each
