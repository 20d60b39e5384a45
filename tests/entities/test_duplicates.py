"""Duplicates: a new entity named like an existing one (published or draft) is not saved
without the curator's word, and the reader's record search finds names as the admin's
list does, misspelt ones too."""

import re

import pytest
from django.urls import reverse

from entities.models import Entity, Name
from tests.builders import add_form, form_errors, inline_prefix, make_person, source

pytestmark = pytest.mark.django_db


def warning(response):
    return re.sub(r"<[^>]+>", "", form_errors(response))  # the candidates are links


def add_person(client, *names, tick=False):
    url, page, post = add_form(client, Entity, "?kind=person")
    prefix = inline_prefix(page, Name)
    post[f"{prefix}-TOTAL_FORMS"] = str(len(names))
    for i, value in enumerate(names):
        post.update({f"{prefix}-{i}-value": value, f"{prefix}-{i}-type": "primary" if i == 0 else "alias"})
    if tick:
        post["different_entity"] = "on"
    return client.post(url, post)


def test_adding_a_person_named_like_a_published_one_warns_and_needs_a_tick(client, users, published):
    client.force_login(users.curator)
    existing = published.person  # "Hossein Salami", published
    response = add_person(client, "Hossein Salami")
    errors = warning(response)
    assert "Possible duplicates: Hossein Salami" in errors
    assert f"({existing.public_id}, published, “Hossein Salami”, score 1.00)" in errors
    assert "This is a different person" in response.content.decode()  # the tick is on the page now
    assert Entity.objects.filter(names__value="Hossein Salami").count() == 1

    response = add_person(client, "Hossein Salami", tick=True)
    assert response.status_code == 302, form_errors(response)
    assert Entity.objects.filter(names__value="Hossein Salami").count() == 2


def test_a_draft_counts_too_and_so_do_other_spellings_and_word_orders(client, users):
    client.force_login(users.curator)
    draft = make_person("Mohammad Hossein Bagheri")
    errors = warning(add_person(client, "Bagheri, Muhammad Hosein"))
    assert f"Possible duplicates: Mohammad Hossein Bagheri ({draft.public_id}, draft," in errors
    # a name not like any other is saved at once
    assert add_person(client, "Olga Barynova").status_code == 302


def claim_search(client, src, q):
    url = reverse("admin:sources_source_claims", args=[src.pk])
    return [r["label"] for r in client.get(url, {"q": q}).json()["records"]]


def test_the_reader_record_search_finds_what_the_admin_list_finds_and_misspellings(client, users):
    client.force_login(users.curator)
    rezaei = make_person("Rezaei, Amir")
    make_person("Amir Hosseini")
    src = source()
    admin_list = client.get(reverse("admin:entities_entity_changelist"), {"q": "Amir Rezaei"})
    assert [e.pk for e in admin_list.context["cl"].result_list] == [rezaei.pk]
    assert claim_search(client, src, "Amir Rezaei") == [str(rezaei)]
    assert claim_search(client, src, "Rezai") == [str(rezaei)]
    assert claim_search(client, src, "Rezaei Amir") == [str(rezaei)]
