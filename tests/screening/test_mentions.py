"""Mentions of known entities in article text, and suggestions of new ones."""

from pathlib import Path

import pytest
import yaml

from corpus.loader import DATA_DIR
from entities.models import Name
from screening import services
from screening.mentions import words
from screening.records import EntityRecord
from screening.sources import write_model_records

SHOIGU = EntityRecord("ent_shoigu", "person", [("Sergei Shoigu", "primary", "en")])
ZELENSKYY = EntityRecord("ent_zelenskyy", "person", [("Volodymyr Zelenskyy", "primary", "en")])
BAGHERI = EntityRecord("ent_bagheri", "person", [("Mohammad Hossein Bagheri", "primary", "en")])
UK = EntityRecord("ent_uk", "organisation", [("UK Government", "primary", "en"), ("UK", "weak_alias", "en")])
CHINA = EntityRecord(
    "ent_china", "organisation", [("Government of China", "primary", "en"), ("China", "weak_alias", "")]
)
UN = EntityRecord("ent_unsc", "organisation", [("U.N. Security Council", "primary", "en")])
RECORDS = [SHOIGU, ZELENSKYY, BAGHERI, UK, CHINA, UN]


def spans(text, mentions):
    return [(text[m.start : m.end], m.entity_id) for m in mentions]


def test_offsets_are_into_the_original_text_whatever_the_script_or_spelling():
    text = "Вчера 𝔐𝔬𝔰𝔨𝔞𝔲: Сергей Шойгу встретил «Ζελένσκυ Βολοντίμιρ» и Muhammad Hosein BAQERI’s aides."
    found = services.find_mentions(text, RECORDS)
    assert spans(text, found) == [
        ("Сергей Шойгу", "ent_shoigu"),
        ("Ζελένσκυ Βολοντίμιρ", "ent_zelenskyy"),
        ("Muhammad Hosein BAQERI", "ent_bagheri"),
    ]
    for m in found:
        assert text[m.start : m.end] == m.text
    shoigu = found[0]
    assert shoigu.name == "Sergei Shoigu" and "transliterated" in shoigu.how


def test_a_persian_spelling_in_persian_text():
    text = "سرلشکر محمد حسین باقری گفت"
    (m,) = services.find_mentions(text, RECORDS)
    assert (m.text, m.entity_id) == ("محمد حسین باقری", "ent_bagheri")


def test_case_matters_for_acronyms_and_capitalised_names():
    text = "Let us look at the china cups. The UK and China said so."
    found = services.find_mentions(text, RECORDS)
    assert spans(text, found) == [("UK", "ent_uk"), ("China", "ent_china")]
    assert all(m.name_type == "weak_alias" and m.score <= 0.55 for m in found)
    assert services.find_mentions(text, RECORDS, weak_aliases=False) == []


def test_a_dotted_abbreviation_and_nested_spans():
    text = "the U.N. Security Council met the Biden administration"
    records = RECORDS + [
        EntityRecord("ent_sc", "organisation", ["Security Council"]),
        EntityRecord("ent_unsc", "organisation", ["U.N. Security Council", "Security Council"]),
        EntityRecord("ent_us", "organisation", ["Biden administration"]),
        EntityRecord("ent_biden", "person", ["Biden"]),
    ]
    found = services.find_mentions(text, records)
    # another entity inside a longer span is kept ("Biden" in "Biden administration"); the
    # same entity's shorter name inside its longer one is not
    assert spans(text, found) == [
        ("U.N. Security Council", "ent_unsc"),
        ("Security Council", "ent_sc"),
        ("Biden administration", "ent_us"),
        ("Biden", "ent_biden"),
    ]
    outermost = services.find_mentions(text, records, nested=False)
    assert spans(text, outermost) == [("U.N. Security Council", "ent_unsc"), ("Biden administration", "ent_us")]


def test_a_family_name_alone_is_a_weaker_mention_that_can_be_left_out():
    text = "Zelenskyy's office. Later Zelensky said."
    found = services.find_mentions(text, RECORDS)
    assert spans(text, found) == [("Zelenskyy", "ent_zelenskyy"), ("Zelensky", "ent_zelenskyy")]
    assert all(m.how.startswith("family name only") and m.score < 0.8 for m in found)
    assert services.find_mentions(text, RECORDS, family_names=False) == []


def test_a_family_name_inside_a_full_name_names_nobody_else():
    records = [EntityRecord("ent_anna", "person", ["Anna Berg"]), EntityRecord("ent_carl", "person", ["Carl Berg"])]
    text = "Anna Berg met the press; Berg said no."
    found = services.find_mentions(text, records)
    # "Berg" inside "Anna Berg" is hers; standing alone it may be either Berg
    assert spans(text, found) == [("Anna Berg", "ent_anna"), ("Berg", "ent_anna"), ("Berg", "ent_carl")]


def test_words_keep_offsets_and_drop_possessives():
    text = "Iran’s drones; Naval'nyy, U.S."
    assert [(w.raw, text[w.start : w.end]) for w in words(text)] == [
        ("Iran", "Iran"),
        ("drones", "drones"),
        ("Naval'nyy", "Naval'nyy"),
        ("U.S.", "U.S."),
    ]


def test_new_persons_after_titles_and_ranks_and_new_organisations():
    text = (
        "Air Force Brig. Gen. Pat Ryder spoke. Der ukrainische Präsident Wolodymyr Selensky sagte. "
        "De minister-president Mark Rutte. The UK Ministry of Defence said Shahed Aviation Industries "
        "and Foo Trading GmbH sold it. Maj. Gen. Mohammad Hossein Bagheri agreed."
    )
    suggested = [(s.text, s.kind) for s in services.suggest_new_entities(text)]
    assert suggested == [
        ("Air Force", "organisation"),
        ("Pat Ryder", "person"),
        ("Wolodymyr Selensky", "person"),
        ("Mark Rutte", "person"),
        ("UK Ministry of Defence", "organisation"),
        ("Shahed Aviation Industries", "organisation"),
        ("Foo Trading GmbH", "organisation"),
        ("Mohammad Hossein Bagheri", "person"),
    ]
    known = services.find_mentions(text, RECORDS)
    assert "Mohammad Hossein Bagheri" not in [s.text for s in services.suggest_new_entities(text, known)]


def test_a_sentence_end_is_not_inside_a_name():
    text = "He met Foo Trading GmbH. Maj. Gen. Ali Reza agreed."
    assert [s.text for s in services.suggest_new_entities(text)] == ["Foo Trading GmbH", "Ali Reza"]


# ---------------------------------------------------------------- the seed corpus


def cited_names():
    """(source, article text, name value, type, start, entity key) for every name citation
    of corpus.yaml whose quote spells the name (not "der Islamischen Revolutionsgarde" for
    "Islamische Revolutionsgarde": German inflection is out of scope), read from the file
    itself, independently of the loader."""
    corpus = yaml.safe_load((DATA_DIR / "corpus.yaml").read_text(encoding="utf-8"))
    texts = {
        key: (DATA_DIR / "articles" / s["file"]).read_text(encoding="utf-8") for key, s in corpus["sources"].items()
    }
    out = []
    for key, entity in corpus["entities"].items():
        for name in entity["names"]:
            for cite in name["cite"]:
                if name["value"] not in cite["quote"]:
                    continue
                text = texts[cite["source"]]
                quote_at = -1
                for _ in range(cite.get("nth", 1)):
                    quote_at = text.index(cite["quote"], quote_at + 1)
                at = quote_at + cite["quote"].index(name["value"])
                out.append((cite["source"], text, name["value"], name["type"], at, key))
    return out


CITED = cited_names()


def test_the_seed_corpus_has_name_citations_to_check():
    assert len(CITED) > 60
    assert Path(DATA_DIR / "articles").is_dir()


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_corpus")
class TestSeedCorpus:
    @pytest.mark.parametrize("through", ["records", "index"])
    def test_every_cited_name_of_the_seed_corpus_is_found_at_its_citation(self, through):
        records = list(write_model_records())
        if through == "index":
            services.rebuild(records, progress=False)
        entity_of = dict(Name.objects.values_list("value", "entity__public_id"))
        found = {}
        missing = []
        for source, text, value, _, at, key in CITED:
            if source not in found:
                found[source] = services.find_mentions(text, None if through == "index" else records)
            # found at the citation, or within a longer mention of the same entity
            # ("Security Council" inside "U.N. Security Council")
            if not any(
                m.start <= at and at + len(value) <= m.end and m.entity_id == entity_of[value] for m in found[source]
            ):
                missing.append((source, value, at, key))
        assert missing == []


@pytest.mark.django_db
def test_mentions_through_the_index_take_one_query(django_assert_num_queries):
    services.rebuild(RECORDS, progress=False)
    text = "Сергей Шойгу met Volodymyr Zelenskyy's aides and the U.N. Security Council. " * 20
    # 1. every run of words keyed like a name → the entities having those keys, with their documents
    with django_assert_num_queries(1):
        found = services.find_mentions(text)
    assert {m.entity_id for m in found} == {"ent_shoigu", "ent_zelenskyy", "ent_unsc"}
    assert len(found) == 60
