"""The mention finder the source reader asks for the entities an article names.

Name matching lives above this app (screening), which registers its finder in its
AppConfig.ready(); until then the reader uses MentionFinder, which finds nothing.
"""


class MentionFinder:
    """What the reader asks of a mention finder; this one finds nothing."""

    def offers(self, text, cited):
        """Mentions of known entities in ``text`` (objects with start, end, cited...);
        ``cited`` holds (start, end, entity id) of the spans already backing an entity."""
        return []

    def new_entities(self, text, offers, language="", cited=()):
        """Names in ``text`` that may be entities nobody recorded yet; ``cited`` as for
        ``offers`` (words cited for an entity are recorded already)."""
        return []

    def guess_kind(self, words):
        """ "person" or "organisation" for words a curator selected, "" if unsure."""
        return ""


_mention_finder = MentionFinder()


def register_mention_finder(finder):
    global _mention_finder
    _mention_finder = finder


def mention_finder():
    """The finder registered last (looked up at each call: registration comes later
    than the import of the reader)."""
    return _mention_finder
