"""Request fields that take JSON values at their type: DRF would coerce true to 1,
"0.5" to 0.5 and 7 to "7", silently accepting what the schema says is invalid."""

from rest_framework import serializers


class JSONTyped:
    json_types = ()

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, self.json_types):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONString(JSONTyped, serializers.CharField):
    json_types = (str,)
    default_error_messages = {"invalid": "Not a string."}


class JSONInteger(JSONTyped, serializers.IntegerField):
    json_types = (int,)


class JSONFloat(JSONTyped, serializers.FloatField):
    json_types = (int, float)


class JSONChoice(JSONTyped, serializers.ChoiceField):
    json_types = (str,)
    default_error_messages = {**serializers.ChoiceField.default_error_messages, "invalid": "Not a string."}
