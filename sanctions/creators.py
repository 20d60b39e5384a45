"""What the source reader creates from a selection in this app: a sanction action the
selected words state (registered in SanctionsConfig.ready(); see ``sources.creators``)."""

from django.core.exceptions import ValidationError

from sources.creators import Creator, register_creator

from .models import Authority, SanctionAction


class NewSanctionAction(Creator):
    """A sanction action of the authority, kind and status chosen in the panel; its
    summary defaults to the sentence around the selection, which backs the action."""

    key = "sanctionaction"
    label = "New sanction action"
    permissions = ("sanctions.add_sanctionaction", "sanctions.change_sanctionaction")

    def choices(self):
        return {
            "authority": [(a.pk, str(a)) for a in Authority.objects.order_by("name")],
            "kind": SanctionAction.Kind.choices,
            "status": SanctionAction.Status.choices,
        }

    def create(self, user, words, data, context):
        errors = {}
        authority = None
        try:
            authority = Authority.objects.get(pk=int(data.get("authority") or ""))
        except (ValueError, Authority.DoesNotExist):
            errors["authority"] = ["Choose the authority that takes the action."]
        fields = {}
        for field, choices in (("kind", SanctionAction.Kind), ("status", SanctionAction.Status)):
            value = data.get(field, "")
            if value not in choices.values:
                errors[field] = [f"Choose the action's {field} ({', '.join(choices.values)})."]
            fields[field] = value
        summary = " ".join((data.get("summary") or "").split()) or " ".join(context["sentence"].split())
        if not summary:
            errors["summary"] = ["Write what the action is, in a sentence."]
        if errors:
            raise ValidationError(errors)
        action = SanctionAction(authority=authority, summary=summary, created_by=user, **fields)
        action.full_clean()
        action.save()
        return [action]


def register():
    register_creator(NewSanctionAction())
