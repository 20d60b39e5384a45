"""Corrected sources: a new source supersedes the old, citations are re-anchored or
flagged for a curator, never moved silently; the old source stays readable."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from entities.models import Entity, Name
from sources import services
from sources.models import Citation, Evidence, ReanchorProblem, Source
from tests.builders import citation, person, source

pytestmark = pytest.mark.django_db

OLD = (
    "Der Kreml forderte Drohnen aus dem Iran. "
    "Kirby sagte am Freitag, Schoigu habe Teheran besucht. "
    "Später warnte Kirby vor neuen Lieferungen."
)
NEW = "Washington (AP) — " + OLD.replace("Schoigu", "Shoigu")


@pytest.fixture
def cited(curator):
    """An article citing a person twice (the second "Kirby" too) and a misspelt name."""
    src = source(text=OLD, title="Kreml", publisher="AP", url="https://example.org/a", published="2023-06")
    kirby = person("John Kirby", cite=citation(src, "Kirby"))
    kirby.citations.add(citation(src, "Kirby", nth=2))
    shoigu = person("Sergei Shoigu", cite=citation(src, "Schoigu"))
    return src, kirby, shoigu


def test_the_corrected_text_becomes_a_new_source_superseding_the_old(cited, curator):
    old = cited[0]
    result = services.supersede(old, NEW, curator, note="Dateline added; Shoigu spelt as in English.")
    new = result.source
    assert new.supersedes == old and new.text == NEW and new.created_by == curator
    assert (new.title, new.publisher, new.url, new.published, new.language) == ("Kreml", "AP", old.url, "2023-06", "de")
    assert new.correction_note.startswith("Dateline added")
    old.refresh_from_db()
    assert old.is_superseded and old.text == OLD and old.citations.count() == 3  # nothing deleted or changed


def test_citations_placed_with_confidence_back_the_same_claims_in_the_new_text(cited, curator):
    old, kirby, _ = cited
    result = services.supersede(old, NEW, curator)
    assert dict(result.placed) == {"context": 2}  # "Kirby" twice, told apart by its surroundings
    moved = list(result.source.citations.order_by("start"))
    assert [(c.quote, NEW[c.start : c.end]) for c in moved] == [("Kirby", "Kirby"), ("Kirby", "Kirby")]
    assert [c.reanchored_from.start for c in moved] == [c.start for c in old.citations.filter(quote="Kirby")]
    assert all(c.created_by == curator for c in moved)
    # the entity claim and its name claim are now backed by both sources
    entity_citations = set(kirby.citations.values_list("source_id", flat=True))
    assert entity_citations == {old.pk, result.source.pk}
    assert Evidence.objects.filter(citation__in=moved).count() == 3  # entity twice, name once
    assert Evidence.objects.filter(citation__in=moved, created_by=curator).count() == 3


def test_a_citation_whose_words_changed_is_flagged_not_moved(cited, curator):
    old, _, shoigu = cited
    result = services.supersede(old, NEW, curator)
    [problem] = result.problems
    assert problem.citation.quote == "Schoigu" and problem.source == result.source
    assert problem.reason == ReanchorProblem.Reason.QUOTE_CHANGED and problem.is_open
    assert problem.candidates[0]["quote"] == "Shoigu"
    # Shoigu's claims keep their one old citation until a curator decides
    assert list(shoigu.citations.values_list("quote", flat=True)) == ["Schoigu"]
    assert "2 citation(s) re-anchored (2 context); 1 need a curator." == result.summary


def test_a_curator_places_a_flagged_citation_and_the_claims_follow(cited, curator):
    problem = services.supersede(cited[0], NEW, curator).problems[0]
    candidate = problem.candidates[0]
    placed = services.place_problem(problem, candidate["start"], candidate["end"], curator, note="Same person.")
    assert placed.quote == "Shoigu" and placed.reanchored_from == problem.citation
    problem.refresh_from_db()
    assert (problem.resolution, problem.resolved_citation, problem.resolved_by) == ("placed", placed, curator)
    name = Name.objects.get(value="Sergei Shoigu")
    assert set(name.citations.values_list("quote", flat=True)) == {"Schoigu", "Shoigu"}
    with pytest.raises(ValidationError, match="already resolved"):
        services.drop_problem(problem, curator, "again")


def test_a_curator_can_say_the_corrected_text_has_no_counterpart_but_must_say_why(cited, curator):
    problem = services.supersede(cited[0], NEW, curator).problems[0]
    with pytest.raises(ValidationError, match="Say why"):
        services.drop_problem(problem, curator, "  ")
    services.drop_problem(problem, curator, "The corrected article no longer names him.")
    problem.refresh_from_db()
    assert problem.resolution == "dropped" and problem.resolved_citation is None


def test_a_source_is_superseded_at_most_once(cited, curator):
    old = cited[0]
    services.supersede(old, OLD + " Nachtrag.", curator)
    with pytest.raises(ValidationError, match="has been superseded by"):
        services.supersede(old, OLD + " Anderer Nachtrag.", curator)
    assert Source.objects.filter(supersedes=old).count() == 1


def test_a_corrected_source_with_open_problems_is_not_corrected_again(cited, curator):
    new = services.supersede(cited[0], NEW, curator).source
    with pytest.raises(ValidationError, match="still waiting for a curator"):
        services.supersede(new, NEW + " Nachtrag.", curator)


@pytest.mark.parametrize(
    "text,message",
    [(OLD, "identical"), ("   ", "empty"), ("Text mit \x00 NUL", "NUL"), (OLD.replace("\n", "\r\n"), "identical")],
)
def test_a_correction_that_corrects_nothing_or_is_malformed_is_refused(cited, curator, text, message):
    with pytest.raises(ValidationError, match=message):
        services.supersede(cited[0], text, curator)
    assert Source.objects.count() == 1


def test_superseding_is_all_or_nothing(cited, curator, monkeypatch):
    from sources import reanchor

    real_place, calls = reanchor.place, []

    def fail_on_third(*args):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_place(*args)

    monkeypatch.setattr(reanchor, "place", fail_on_third)
    with pytest.raises(RuntimeError):
        services.supersede(cited[0], NEW, curator)
    assert Source.objects.count() == 1
    assert Citation.objects.count() == 3 and not ReanchorProblem.objects.exists()


def _sample_correction(text):
    """A dateline added, three ", " doubled, the fourth paragraph removed."""
    lines = text.split("\n")
    fourth = [i for i, line in enumerate(lines) if line.strip()][3]
    removed, lines[fourth] = lines[fourth], ""
    return "CORRECTED — " + "\n".join(lines).replace(", ", ",  ", 3), removed


def test_a_sample_correction_of_every_seed_article(seed_corpus, curator):
    """The figures the README quotes."""
    placed = flagged = 0
    for old in Source.objects.order_by("pk"):
        corrected, removed = _sample_correction(old.text)
        result = services.supersede(old, corrected, curator, note="Sample correction.")
        placed += sum(result.placed.values())
        flagged += len(result.problems)
        # only quotes from the removed paragraph need a curator
        assert all(p.citation.quote in removed for p in result.problems), [p.citation.quote for p in result.problems]
        assert all(result.source.text[c.start : c.end] == c.quote for c in result.source.citations.all())
    assert (placed, flagged) == (130, 10)
    alabuga = Entity.objects.get(names__value="Alabuga Special Economic Zone")
    assert alabuga.citations.filter(source__supersedes__isnull=False).exists()


# ------------------------------------------------------------------------- the admin


def _supersede_url(src):
    return reverse("admin:sources_source_supersede", args=[src.pk])


def test_a_curator_supersedes_a_source_from_its_admin_page(role_client, cited):
    old = cited[0]
    client = role_client("curator")
    page = client.get(_supersede_url(old))
    assert page.status_code == 200 and page.context["form"].initial["text"] == OLD
    response = client.post(_supersede_url(old), {"text": NEW.replace("\n", "\r\n"), "note": "Dateline."}, follow=True)
    new = Source.objects.get(supersedes=old)
    assert response.redirect_chain[-1][0] == reverse("admin:sources_source_change", args=[new.pk])
    messages = [str(m) for m in response.context["messages"]]
    assert any("2 citation(s) re-anchored (2 context); 1 need a curator." in m for m in messages)
    assert any("Place or dismiss the 1 flagged citation(s)" in m for m in messages)
    # the old source's page now says it is superseded and offers no second correction
    html = client.get(reverse("admin:sources_source_change", args=[old.pk])).content.decode()
    assert f"superseded by {new.public_id}" in html and _supersede_url(old) not in html


def test_the_supersede_form_shows_field_errors(role_client, cited):
    client = role_client("curator")
    response = client.post(_supersede_url(cited[0]), {"text": NEW, "note": ""})
    assert list(response.context["form"].errors) == ["note"]
    response = client.post(_supersede_url(cited[0]), {"text": OLD, "note": "Nothing, really."})
    assert "identical" in " ".join(response.context["form"].errors["text"])
    assert Source.objects.count() == 1


def test_only_curators_may_supersede(role_client, cited):
    for role in ("reviewer", "auditor"):
        assert role_client(role).post(_supersede_url(cited[0]), {"text": NEW, "note": "x"}).status_code == 403
    assert Source.objects.count() == 1


def test_flagged_citations_are_listed_for_curators_and_resolved_in_the_admin(role_client, cited, curator):
    result = services.supersede(cited[0], NEW, curator)
    client = role_client("curator")
    changelist = reverse("admin:sources_reanchorproblem_changelist")
    listed = client.get(changelist, {"status": "open"}).context["cl"].result_list
    assert [p.citation.quote for p in listed] == ["Schoigu"]
    flagged = client.get(reverse("admin:sources_citation_changelist"), {"reanchoring": "open"})
    assert [c.quote for c in flagged.context["cl"].result_list] == ["Schoigu"]

    problem = result.problems[0]
    url = reverse("admin:sources_reanchorproblem_change", args=[problem.pk])
    page = client.get(url)
    assert "“Shoigu” at" in page.content.decode()  # the candidate, offered first
    # offsets outside the corrected text are a field error, nothing placed
    bad = client.post(url, {"decision": "offsets", "start": "5", "end": "5000", "resolution_note": ""})
    assert "start" in bad.context["adminform"].form.errors
    response = client.post(url, {"decision": "0", "start": "", "end": "", "resolution_note": "Same man."})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.resolution == "placed" and problem.resolved_citation.quote == "Shoigu"
    assert not client.get(changelist, {"status": "open"}).context["cl"].result_list
    # a resolved problem is read-only
    html = client.get(url).content.decode()
    assert 'name="decision"' not in html and "Same man." in html


def test_dismissing_a_flagged_citation_in_the_admin_needs_a_note(role_client, cited, curator):
    problem = services.supersede(cited[0], NEW, curator).problems[0]
    url = reverse("admin:sources_reanchorproblem_change", args=[problem.pk])
    client = role_client("curator")
    response = client.post(url, {"decision": "drop", "resolution_note": ""})
    assert "resolution_note" in response.context["adminform"].form.errors
    assert client.post(url, {"decision": "drop", "resolution_note": "Name removed."}).status_code == 302
    problem.refresh_from_db()
    assert problem.resolution == "dropped"


def test_a_superseded_source_is_read_only_in_the_reader_and_the_citation_form(role_client, cited, curator):
    old = cited[0]
    new = services.supersede(old, NEW, curator).source
    client = role_client("curator")
    html = client.get(reverse("admin:sources_source_read", args=[old.pk])).content.decode()
    assert 'id="cite-panel"' not in html
    assert "This source has been superseded by" in html
    assert reverse("admin:sources_source_read", args=[new.pk]) in html
    add = reverse("admin:sources_citation_add")
    response = client.post(add, {"source": old.pk, "start": 0, "end": 9, "translation": "", "metadata_field": ""})
    assert "cite the corrected text instead" in " ".join(response.context["adminform"].form.errors["source"])
    assert not Citation.objects.filter(source=old, start=0).exists()
