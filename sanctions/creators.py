"""What the source reader creates from a selection in this app: a sanction action the
selected words state (registered in SanctionsConfig.ready(); see ``sources.creators``)."""

from django.core.exceptions import ValidationError

from entities.models import Entity
from sources.creators import Creator, register_creator

from .models import Authority, SanctionAction, SanctionTarget


class NewSanctionAction(Creator):
    """A sanction action of the authority, kind and status chosen in the panel, with its
    targets (entities the panel lists) and the measures on each; its summary defaults
    to the sentence around the selection, which backs the action and each target. The
    measures wait in the checklist for the words that state them."""

    key = "sanctionaction"
    label = "New sanction action"
    permissions = (
        "sanctions.add_sanctionaction",
        "sanctions.change_sanctionaction",
        "sanctions.add_sanctiontarget",
        "sanctions.change_sanctiontarget",
    )

    def choices(self):
        return {
            "authority": [(a.pk, str(a)) for a in Authority.objects.order_by("name")],
            "kind": SanctionAction.Kind.choices,
            "status": SanctionAction.Status.choices,
            "measures": SanctionTarget.Measure.choices,
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
        targets = self._targets(data.getlist("targets"), errors)
        measures = data.getlist("measures")
        unknown = sorted(set(measures) - set(SanctionTarget.Measure.values))
        if unknown:
            errors["measures"] = [f"Unknown measure(s): {', '.join(unknown)}."]
        elif measures and not targets:
            errors["measures"] = ["Measures apply to targets: tick the targeted entities."]
        if errors:
            raise ValidationError(errors)
        action = SanctionAction(authority=authority, summary=summary, created_by=user, **fields)
        action.full_clean()
        action.save()
        made = [
            SanctionTarget(action=action, entity=entity, measures=sorted(set(measures)), created_by=user)
            for entity in targets
        ]
        for target in made:
            target.full_clean()
            target.save()
        return [action, *made]

    @staticmethod
    def _targets(values, errors):
        """The entities of the posted ``targets``, each once, in the order posted."""
        try:
            pks = list(dict.fromkeys(int(v) for v in values))
        except ValueError:
            errors["targets"] = ["Targets are entity ids."]
            return []
        found = Entity.objects.in_bulk(pks)
        missing = [pk for pk in pks if pk not in found]
        gone = [str(found[pk]) for pk in pks if pk in found and (found[pk].is_deprecated or found[pk].merged_into_id)]
        if missing:
            errors["targets"] = [f"There is no entity {', '.join(map(str, missing))}."]
        elif gone:
            errors["targets"] = [f"Deprecated or merged, not a target: {'; '.join(gone)}."]
        return [found[pk] for pk in pks if pk in found]


def register():
    register_creator(NewSanctionAction())
