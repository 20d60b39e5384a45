"""The curated seed corpus: exact quotes, every claim cited, one entity across languages."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from corpus.loader import DATA_DIR
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Citation, Claim, Evidence, Source

pytestmark = pytest.mark.django_db
SHARED_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
MODELS = [
    Source,
    Citation,
    Claim,
    Evidence,
    Entity,
    Person,
    Organisation,
    Name,
    Identifier,
    Relationship,
    Authority,
    Programme,
    SanctionAction,
    SanctionTarget,
]


def snapshot():
    return {m.__name__: sorted(map(repr, m.objects.values_list())) for m in MODELS}


@pytest.mark.usefixtures("seed_corpus")
class TestTheLoadedCorpus:
    """Read from one load of the corpus (tests/conftest.py: seed_corpus)."""

    def test_every_quote_is_exactly_its_span(self):
        citations = list(Citation.objects.select_related("source"))
        assert len(citations) > 100
        for c in citations:
            text = c.source.text
            assert text[c.start : c.end] == c.quote, c
            assert text[max(0, c.start - 32) : c.start] == c.prefix
            assert text[c.end : c.end + 32] == c.suffix

    def test_every_claim_has_a_citation(self):
        uncited = Claim.objects.annotate(n=Count("evidence")).filter(n=0)
        assert list(uncited.values_list("claim_type", "id")) == []
        assert not SanctionAction.objects.filter(evidence__isnull=True).exists()
        assert not SanctionTarget.objects.filter(evidence__isnull=True).exists()

    def test_the_corpus_covers_at_least_the_floor(self):
        assert Entity.objects.filter(kind="person").count() >= 12
        assert Entity.objects.filter(kind="organisation").count() >= 12
        assert SanctionAction.objects.count() >= 6
        assert Source.objects.count() == 5
        # threatened and considered actions are recorded, not dropped
        assert SanctionAction.objects.filter(status__in=["threatened", "considered"]).exists()
        # targets only where the text names them: some actions (e.g. on unnamed companies) have none
        assert SanctionTarget.objects.count() >= 6

    def test_every_person_name_is_spelled_in_one_of_its_quotes(self):
        for name in Name.objects.filter(entity__kind="person").prefetch_related("citations"):
            assert any(name.value in c.quote for c in name.citations.all()), name.value

    def test_one_person_across_languages_has_a_cited_name_in_each_spelling(self):
        zelenskyy = Entity.objects.get(names__value__contains="Zelenskyy")
        spellings = {(n.value, n.lang) for n in zelenskyy.names.all()}
        assert ("Wolodymyr Selensky", "de") in spellings
        assert any(lang == "en" and "Zelenskyy" in value for value, lang in spellings)
        languages = set(
            Source.objects.filter(citations__claims__in=zelenskyy.names.all()).values_list("language", flat=True)
        )
        assert languages == {"en", "de"}

    def test_source_texts_are_the_articles_exactly_and_metadata_is_not_invented(self):
        for path in sorted((DATA_DIR / "articles").glob("*.txt")):
            raw = path.read_bytes()
            assert Source.objects.filter(text_sha256=hashlib.sha256(raw).hexdigest()).exists(), path.name
        ap = Source.objects.get(publisher="Associated Press")
        assert ap.citations.get(metadata_field="publisher").quote == "(AP)"
        assert not Source.objects.exclude(url="").exists()
        assert not Source.objects.exclude(published="").exists()

    def test_loading_twice_changes_nothing(self, capsys):
        before = snapshot()
        call_command("load_seed_corpus")
        assert "nothing changed" in capsys.readouterr().out
        assert snapshot() == before


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_the_bundled_articles_are_the_shared_seeds_byte_for_byte():
    shared = {p.name: p.read_bytes() for p in SHARED_SEEDS.glob("*.txt")}
    bundled = {p.name: p.read_bytes() for p in (DATA_DIR / "articles").glob("*.txt")}
    assert bundled == shared


def test_a_bad_quote_stops_the_load_with_file_and_line_and_writes_nothing(tmp_path):
    text = (DATA_DIR / "corpus.yaml").read_text(encoding="utf-8")
    needle = 'quote: "National Security Council spokesman John Kirby"'
    assert needle in text
    line = text[: text.index(needle)].count("\n") + 1
    bad = tmp_path / "corpus.yaml"
    bad.write_text(text.replace(needle, 'quote: "National Security Council spokeswoman"', 1), encoding="utf-8")
    (tmp_path / "articles").symlink_to(DATA_DIR / "articles")
    with pytest.raises(CommandError) as err:
        call_command("load_seed_corpus", file=str(bad))
    assert f"corpus.yaml:{line}:" in str(err.value)
    assert "does not occur" in str(err.value)
    assert not Source.objects.exists() and not Entity.objects.exists()


@pytest.mark.parametrize(
    "replace,message",
    [
        (("kind: person", "kind: vessel", 1), "kind"),
        (("nationalities: []", "nationalities: [XX]", 1), "nationalities"),
        (("language: en", "language: english", 1), "language"),
    ],
)
def test_invalid_values_are_reported_with_their_line(tmp_path, replace, message):
    text = (DATA_DIR / "corpus.yaml").read_text(encoding="utf-8")
    assert replace[0] in text
    bad = tmp_path / "corpus.yaml"
    bad.write_text(text.replace(*replace), encoding="utf-8")
    (tmp_path / "articles").symlink_to(DATA_DIR / "articles")
    with pytest.raises(CommandError, match=rf"corpus.yaml:\d+: .*{message}"):
        call_command("load_seed_corpus", file=str(bad))
    assert not Entity.objects.exists()


def test_malformed_yaml_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "corpus.yaml"
    bad.write_text("sources:\n  a: {file: x\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"corpus.yaml:\d+:"):
        call_command("load_seed_corpus", file=str(bad))
