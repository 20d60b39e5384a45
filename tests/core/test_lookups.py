"""field__any: the rows of field__in, with the values sent as one array."""

import pytest

from sanctions.models import Authority, Programme

pytestmark = pytest.mark.django_db

TRICKY = ['with "quotes"', "back\\slash", "a,comma", "{braces}", "NULL", " spaces ", "ünïcödé 𝔐"]


def test_any_finds_the_same_rows_as_in_for_strings_ints_and_foreign_keys():
    authorities = [Authority.objects.create(name=name) for name in [*TRICKY, "other"]]
    assert set(Authority.objects.filter(name__any=TRICKY)) == set(Authority.objects.filter(name__in=TRICKY))
    assert Authority.objects.filter(name__any=TRICKY).count() == len(TRICKY)
    pks = [a.pk for a in authorities[:3]]
    assert set(Authority.objects.filter(pk__any=pks)) == set(authorities[:3])
    programme = Programme.objects.create(authority=authorities[0], name="x")
    assert list(Programme.objects.filter(authority__any=pks)) == [programme]
    assert list(Programme.objects.filter(authority_id__any={pks[0]})) == [programme]  # any iterable
    assert not Authority.objects.filter(pk__any=[]).exists()


def test_any_sends_one_parameter_however_many_values(django_assert_num_queries):
    with django_assert_num_queries(1) as ctx:
        list(Authority.objects.filter(pk__any=list(range(10_000))))
    assert ctx.captured_queries[0]["sql"].count("ANY(") == 1 and len(ctx.captured_queries[0]["sql"]) < 60_000
