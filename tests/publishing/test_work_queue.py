"""The admin's home page shows each user the change sets waiting for them: a reviewer the
submitted ones they may review, a curator their own open ones, rejected ones with why."""

import pytest
from django.urls import reverse

from entities.models import Entity
from publishing import services
from publishing.models import ChangeSet
from tests.builders import citation, count_queries, entity, make_source

pytestmark = pytest.mark.django_db

HOME = "/admin/"


def submitted_set(user, title, *names):
    """A change set titled ``title`` in which ``user`` recorded a cited person per name, submitted."""
    cite = citation(make_source(), "Maj. Gen. Hossein Salami")
    change_set = None
    for name in names:
        person = entity(name, Entity.Kind.PERSON, cite)
        change_set = services.record_edit(user, person)
    ChangeSet.objects.filter(pk=change_set.pk).update(title=title)
    return services.submit(change_set, user)


def section(response, element_id):
    """The HTML of the home page's section ``element_id`` ('' when absent)."""
    page = response.content.decode()
    start = page.find(f'id="{element_id}"')
    return "" if start < 0 else page[start : page.find("</table>", start)]


def test_a_reviewer_sees_the_change_sets_awaiting_review(client, users):
    change_set = submitted_set(users.curator, "Drone suppliers", "Hossein Salami", "Amir Rezaei")
    client.force_login(users.reviewer)
    queue = section(client.get(HOME), "to-review")
    assert "Awaiting your review" in queue
    assert f"#{change_set.pk} Drone suppliers" in queue
    assert reverse("admin:publishing_changeset_change", args=[change_set.pk]) in queue
    assert "<td>2</td>" in queue  # records
    assert "<td>cora</td>" in queue  # the submitter
    assert "minute" in queue  # how long it has waited


def test_no_one_is_offered_a_change_set_they_may_not_review(client, users):
    change_set = submitted_set(users.curator, "Drone suppliers", "Hossein Salami")
    client.force_login(users.curator)  # may not review at all
    assert section(client.get(HOME), "to-review") == ""
    services.reject(change_set, users.reviewer, "Cite the rank.")
    # The admin edits a record of it, then the curator submits it again: the admin is one of
    # its editors, so someone else must review it (four eyes).
    services.record_edit(users.admin, Entity.objects.get())
    services.submit(change_set, users.curator)
    client.force_login(users.admin)
    queue = section(client.get(HOME), "to-review")
    assert "Nothing is waiting for your review." in queue and "Drone suppliers" not in queue
    client.force_login(users.reviewer2)
    assert "Drone suppliers" in section(client.get(HOME), "to-review")


def open_set(user, name):
    """``user``'s open change set, with a cited person named ``name`` recorded in it."""
    return services.record_edit(user, entity(name, cite=citation(make_source(), "Maj. Gen.")))


def test_a_curator_sees_their_rejected_and_open_change_sets(client, users):
    rejected = submitted_set(users.curator, "Drone suppliers", "Hossein Salami")
    opened = open_set(users.curator, "Amir Rezaei")
    services.reject(rejected, users.reviewer, "The rank is not in the quote; cite it.")
    submitted_set(users.curator2, "Someone else's", "Hassan Tehrani")
    client.force_login(users.curator)
    home = client.get(HOME)
    returned, own = section(home, "returned"), section(home, "own-open")
    assert "Your change sets returned to you" in returned and f"#{rejected.pk} Drone suppliers" in returned
    assert "Rejected by rita" in returned and "The rank is not in the quote; cite it." in returned
    assert f"#{rejected.pk} Drone suppliers" not in own
    assert reverse("admin:publishing_changeset_change", args=[opened.pk]) in own
    assert "Someone else" not in returned + own


def test_the_home_page_takes_as_many_queries_for_many_change_sets_as_for_one(client, users):
    def queries(user):
        client.force_login(user)
        return count_queries(client, HOME)[0]

    def make(count):
        """``count`` sets for the reviewer to review, and rejected ones of the curator's, and an open one."""
        for n in range(count):
            submitted_set(users.curator2, f"To review {n}", "Hossein Salami", "Amir Rezaei")
        rejected = [submitted_set(users.curator, f"Rejected {n}", "Hassan Tehrani") for n in range(count)]
        open_set(users.curator, "Ali Bagheri")
        for change_set in rejected:
            services.reject(change_set, users.reviewer2, "Cite it.")

    make(1)
    few = queries(users.reviewer), queries(users.curator)
    make(4)
    assert section(client.get(HOME), "returned").count("Rejected by rob") >= 4  # the page grew...
    assert (queries(users.reviewer), queries(users.curator)) == few  # ...its queries didn't
