"""Small builders for test data (plain functions: the models are simple enough)."""
from entities.models import Entity, Name, Relationship
from publishing import services
from sanctions.models import Authority, SanctionAction, SanctionTarget
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


# ------------------------------------------------------------------ hostile input

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = f"Officials named {SCRIPT} and the firm {IMG} as suppliers of drones."


def hostile_world(curator, reviewer):
    """An article, names, an action and a relationship made of markup, published
    through the workflow, plus a second name waiting for review: every page that
    shows them must show them as text."""
    src = source(HOSTILE_TEXT, title=f"Report {SCRIPT}", publisher=IMG, language="en")
    script, img = citation(src, SCRIPT), citation(src, IMG)
    man = person(SCRIPT, cite=script)
    firm = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    firm.citations.add(img)
    Name.objects.create(entity=firm, value=IMG, type=Name.Type.PRIMARY, lang="en").citations.add(img)
    Relationship.objects.create(subject=man, kind=Relationship.Kind.HEAD_OF, object=firm, role=IMG).citations.add(img)
    action = SanctionAction.objects.create(
        authority=Authority.objects.create(name=f"Authority {IMG}", short_name=SCRIPT),
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary=f"Listed {SCRIPT}",
    )
    action.citations.add(script)
    SanctionTarget.objects.create(action=action, entity=firm, measures=["asset_freeze"]).citations.add(img)
    for record in (man, firm, action):
        change_set = services.record_edit(curator, record)
    services.submit(change_set, curator)
    services.approve(change_set, reviewer, services.current_revisions(services.pending_keys(change_set)))
    Name.objects.create(entity=man, value=IMG, type=Name.Type.ALIAS, lang="en").citations.add(img)
    pending = services.record_edit(curator, man)
    services.submit(pending, curator)
    return src, man, firm, action, pending
