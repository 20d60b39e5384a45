"""What a curator is told of their change sets wherever they work.

A banner on every admin page when a reviewer sends a change set back, naming the reviewer
and their comment, until the curator opens that change set (kept in the session: a new
session shows it again while the set is still returned); and, where a page asks for it
(the source reader), the curator's open change set with its number of records, the way
to submit what they recorded."""

from django.utils.functional import SimpleLazyObject

from core.pagination import related_count

from .models import ChangeSetItem, Decision
from .queue import last_decision, open_sets_of
from .services import own_open_change_sets

SEEN = "publishing_seen_rejections"  # session key: ids of the rejections the user has opened


def returned(user, seen=()):
    """Open change sets of ``user`` (made or edited by them) whose last decision is a
    rejection not in ``seen``, each with the rejection's id, reviewer and comment."""
    return list(
        open_sets_of(user)
        .annotate(
            last_kind=last_decision("kind"),
            rejection=last_decision("id"),
            rejected_by=last_decision("user__username"),
            comment=last_decision("comment"),
        )
        .filter(last_kind=Decision.Kind.REJECT)
        .exclude(rejection__in=list(seen))
        .order_by("-id")
    )


def opened(request, change_set):
    """``request``'s user opened ``change_set``: no banner about its rejection any more."""
    last = change_set.decisions.order_by("-at", "-id").values_list("id", "kind").first()
    if last and last[1] == Decision.Kind.REJECT:
        seen = request.session.get(SEEN, [])
        if last[0] not in seen:
            request.session[SEEN] = [*seen, last[0]][-100:]


def returned_change_sets(request):
    """Context processor: the banner's change sets, queried only when a page shows it."""
    user = getattr(request, "user", None)

    def load():
        if user is None or not user.is_authenticated or not user.is_staff:
            return []
        return returned(user, request.session.get(SEEN, []))

    return {"returned_change_sets": SimpleLazyObject(load)}


def open_change_set(request):
    """Context processor: the signed-in user's open change set (the one their edits join,
    publishing.services.open_change_set) with ``record_count``, or None; queried only
    when a page shows it."""
    user = getattr(request, "user", None)

    def load():
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        return own_open_change_sets(user).annotate(record_count=related_count(ChangeSetItem, "change_set")).first()

    return {"my_open_change_set": SimpleLazyObject(load)}
