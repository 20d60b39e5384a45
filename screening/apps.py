from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening (name matching and mention suggestions)"

    def ready(self):
        from publishing.signals import versions_published
        from sources.mentions import register_mention_finder

        from . import suggestions
        from .receivers import follow_publication

        versions_published.connect(follow_publication, dispatch_uid="screening.follow_publication")
        # The source reader offers the mentions of published entities an article names.
        register_mention_finder(suggestions)
