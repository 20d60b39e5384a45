"""Small builders for test data (plain functions: the models are simple enough)."""
from entities.models import Entity, Name
from sources.models import Citation, Source

TEXT = "Verteidigungsminister Sergej Schoigu traf 𝔐𝔬𝔰𝔨𝔞𝔲 und Teheran am 1. März."


def source(text=TEXT, **kwargs):
    kwargs.setdefault("language", "de")
    return Source.objects.create(text=text, **kwargs)


def citation(src, quote, nth=1, **kwargs):
    start = -1
    for _ in range(nth):
        start = src.text.index(quote, start + 1)
    return Citation.objects.create(source=src, start=start, end=start + len(quote), **kwargs)


def person(name="Sergei Shoigu", cite=None, **kwargs):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON, **kwargs)
    n = Name.objects.create(entity=entity, value=name, type=Name.Type.PRIMARY, lang="en")
    if cite is not None:
        entity.citations.add(cite)
        n.citations.add(cite)
    return entity
