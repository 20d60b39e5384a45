"""Scoring one candidate: features, contributions, caps. Pure functions, no database."""

import re

import pytest

from screening.records import EntityRecord, InvalidQuery, NameRecord, Query
from screening.scoring import THRESHOLD, WEAK_ALIAS_CAP, score

BAGHERI = EntityRecord(
    "ent_bagheri",
    "person",
    [
        NameRecord("Mohammad Hossein Bagheri", "primary", "en"),
        NameRecord("محمد حسین باقری", "transliteration", "fa"),
        NameRecord("Bagheri", "weak_alias", "en"),
        NameRecord("Mohammad Bagheri Afshardi", "previous", "en"),
    ],
    birth_date="1960-05-17",
    countries=("IR",),
    identifiers=[("passport", "P12345678")],
)


def features(result):
    return {f.feature: f for f in result.features}


def test_an_exact_name_is_a_match_explained_by_its_name_feature():
    result = score(Query("Mohammad Hossein Bagheri"), BAGHERI)
    assert (result.score, result.match, result.name, result.name_type) == (
        1.0,
        True,
        "Mohammad Hossein Bagheri",
        "primary",
    )
    name = features(result)["name"]
    assert name.contribution == 1.0
    assert name.detail["matched_name"] == "Mohammad Hossein Bagheri"
    assert name.detail["transliteration"] is None


def test_a_persian_query_says_transliteration_was_used():
    result = score(Query("محمد حسین باقری"), EntityRecord("e", "person", ["Mohammad Hossein Bagheri"]))
    assert result.match
    detail = features(result)["name"].detail
    assert detail["transliteration"] == "Arabic → Latin (compared in Latin letters)"
    assert "consonant skeleton" in detail["how"]


@pytest.mark.parametrize(
    "query_date, contribution, result",
    [
        ("1960-05-17", 0.05, "agree to the day"),
        ("1960", 0.02, "agree to the year"),
        ("1960-05", 0.02, "agree to the month"),
        ("1961", -0.2, "different year"),
        ("1960-06", -0.1, "same year, different month or day"),
        ("1960-05-18", -0.1, "same year, different month or day"),
    ],
)
def test_birth_dates_agree_or_conflict_at_the_precision_both_give(query_date, contribution, result):
    record = EntityRecord("e", "person", ["Mohammad Hossein Bagheri"], birth_date="1960-05-17")
    outcome = score(Query("Mohammad Hossein Bagheri", birth_date=query_date), record)
    feature = features(outcome)["birth_date"]
    assert (feature.contribution, feature.detail["result"]) == (contribution, result)
    assert outcome.score == pytest.approx(min(1.0, 1.0 + contribution))


def test_countries_agree_or_conflict_and_missing_facts_are_neutral():
    record = EntityRecord("e", "person", ["Mohammad Hossein Bagheri"], countries=("IR",))
    assert (
        features(score(Query("Mohammad Hossein Bagheri", countries=["ir"]), record))["countries"].contribution == 0.02
    )
    conflict = score(Query("Mohammad Hossein Bagheri", countries=["IQ"]), record)
    assert features(conflict)["countries"].contribution == -0.1
    assert conflict.score == 0.9
    assert "countries" not in features(score(Query("Mohammad Hossein Bagheri"), record))
    assert "birth_date" not in features(score(Query("Mohammad Hossein Bagheri", birth_date="1950"), record))


def test_a_weak_alias_never_makes_a_match_on_its_own():
    # exact weak alias, with the birth date and country agreeing: still below the threshold
    record = EntityRecord(
        "e",
        "person",
        [("Mohammad Hossein Bagheri", "primary", ""), ("The Ghost", "weak_alias", "")],
        birth_date="1960-05-17",
        countries=("IR",),
    )
    result = score(Query("the ghost", birth_date="1960-05-17", countries=["IR"]), record)
    assert result.name_type == "weak_alias"
    assert features(result)["name"].value == WEAK_ALIAS_CAP
    assert result.score < THRESHOLD and not result.match
    assert "weak alias" in features(result)["name"].detail["note"]


def test_a_weak_alias_is_not_chosen_over_a_real_name():
    result = score(Query("Bagheri Mohammad"), BAGHERI)
    assert result.name_type == "primary" and result.match


def test_previous_names_count_slightly_less():
    result = score(Query("Mohammad Bagheri Afshardi"), BAGHERI)
    assert (result.name_type, result.score) == ("previous", 0.95)


def test_an_identifier_hit_is_strong_alone_and_certain_with_the_name():
    alone = score(Query("Somebody Else", identifiers=[("passport", "p 1234-5678")]), BAGHERI)
    assert alone.match and alone.score == 0.95
    assert features(alone)["identifier"].contribution == 0.95
    both = score(Query("Mohammad Hossein Bagheri", identifiers=[("passport", "P12345678")]), BAGHERI)
    assert both.score == 1.0
    other_scheme = score(Query("Somebody Else", identifiers=[("tax", "P12345678")]), BAGHERI)
    assert "identifier" not in features(other_scheme)
    any_scheme = score(Query("Somebody Else", identifiers=[("other", "P12345678")]), BAGHERI)
    assert any_scheme.match


def test_a_kind_conflict_takes_a_strong_name_below_the_threshold():
    company = EntityRecord("e", "organisation", ["Mohammad Hossein Bagheri"])
    result = score(Query("Mohammad Hossein Bagheri", kind="person"), company)
    assert features(result)["kind"].contribution == -0.4
    assert not result.match


def test_contributions_add_up_to_the_score():
    result = score(Query("Muhammad Hosein Baqeri", birth_date="1960", countries=["IR"]), BAGHERI)
    assert sum(f.contribution for f in result.features) == pytest.approx(result.score)
    as_dict = result.as_dict()
    assert [f["feature"] for f in as_dict["explanation"]] == ["name", "birth_date", "countries"]
    assert as_dict["match"] is True


def test_no_name_in_common_scores_zero():
    assert score(Query("Angela Merkel"), BAGHERI).score == 0.0


def test_the_threshold_is_the_callers():
    assert not score(Query("Putin"), EntityRecord("e", "person", ["Vladimir Putin"]), threshold=0.9).match


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"name": "X", "birth_date": "1960-13"}, "birth_date", "partial ISO date"),
        ({"name": "X", "birth_date": "1960-02-30"}, "birth_date", "partial ISO date"),
        ({"name": "X", "birth_date": "1960\x00"}, "birth_date", "NUL"),
        ({"name": "X", "kind": "vessel"}, "kind", "'vessel' is not one of person, organisation"),
        ({"name": "  "}, "name", "empty or only blank space"),
        ({"name": ""}, "name", "empty"),
        ({"name": ["", " \t"]}, "name", "empty"),
        ({"name": None}, "name", "empty"),
        ({"name": "Ali\x00 Reza"}, "name", "NUL byte"),
        ({"name": "A" * 1001}, "name", "1001 characters long; at most 1000"),
        ({"name": 42}, "name", "must be a list, not int"),
        ({"name": ["Ali", 42]}, "name", "must be text, not int"),
        ({"name": ["Ali"] * 21}, "name", "at most 20"),
        ({"name": "X", "countries": ["IR", "XX"]}, "countries", "'XX' is not an ISO 3166-1 alpha-2"),
        ({"name": "X", "countries": ["Iran"]}, "countries", "at most 2"),
        ({"name": "X", "identifiers": [("passport", "")]}, "identifiers", "can't be empty"),
        ({"name": "X", "identifiers": ["P123"]}, "identifiers", "not a (scheme, value) pair"),
        ({"name": "X", "identifiers": [("passport", "P\x001")]}, "identifiers", "NUL"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(kwargs, field, message):
    with pytest.raises(InvalidQuery, match=re.escape(message)) as refused:
        Query(**kwargs)
    assert refused.value.field == field and str(refused.value).startswith(f"{field}: ")
    assert isinstance(refused.value, ValueError)


def test_a_query_takes_one_country_or_many_and_identifiers_as_pairs_or_mappings():
    query = Query(
        "Ali Reza",
        kind="",
        birth_date="1960-05",
        countries="ir",
        identifiers=[{"scheme": "passport", "value": "P1"}, ("", "P2")],
    )
    assert (query.names, query.kind, query.countries) == (("Ali Reza",), None, ("IR",))
    assert query.identifiers == (("passport", "P1"), ("", "P2"))
    assert Query(["Ali Reza", " ", "Reza Ali"]).names == ("Ali Reza", "Reza Ali")


def test_bad_records_are_refused():
    with pytest.raises(ValueError, match="name type"):
        EntityRecord("e", "person", [("X", "nickname", "")])
    with pytest.raises(ValueError, match="kind"):
        EntityRecord("e", "vessel", ["X"])
    with pytest.raises(ValueError, match="birth_date"):
        EntityRecord("e", "person", ["X"], birth_date="17.05.1960")
