"""What the source reader can create from a selection: a new person or organisation
named by the words, another name of an entity, a sanction action the sentence states.

The records live in apps above this one (entities, sanctions), which register a
Creator for each in their AppConfig.ready(), as screening registers the mention finder
(``sources.mentions``). The reader checks the selection and the permissions, calls
``create`` and cites the selection for every claim it returns, all in one transaction;
citing puts the records into the curator's change set (``sources.signals``).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A recorded entity the words may already stand for (the duplicate check)."""

    record: object
    name: str
    score: float


class Creator:
    """What the reader asks of a creator; subclasses fill in each part."""

    key = ""  # what the reader posts as ``what``
    label = ""  # the panel's button, e.g. "New person"
    permissions = ()  # beyond sources.add_citation, e.g. ("entities.add_entity",)

    def choices(self):
        """{field: [(value, label)]} the panel offers (an action's authority, kind, status)."""
        return {}

    def candidates(self, words):
        """[Candidate] already recorded under ``words``: create refuses while there are
        any, unless the curator confirms the record is new."""
        return []

    def create(self, user, words, data, context):
        """Create the record and return the claims the selection is to back, the
        record's own claim first. ``data``: the posted fields; ``context``: the source,
        and the sentence around the selection. Raises ValidationError naming the field."""
        raise NotImplementedError


_creators = {}


def register_creator(creator):
    _creators[creator.key] = creator


def creators():
    """{key: Creator} in the order registered."""
    return dict(_creators)
