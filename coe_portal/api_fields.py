"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from rest_framework import serializers

from coe_portal import limits
from coe_portal.limits import LONG_TEXT, too_long_message


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing NUL characters with a 400: PostgreSQL cannot
    compare text holding them, so the lookup would otherwise fail with a server error."""

    default_error_messages = {"null_characters": "Null characters are not allowed."}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


class LongTextField(serializers.CharField):
    """The API's side of ``coe_portal.limits.LongTextField``: the same limit, refused with
    the same sentence as the form. Model serializers pick it for every LongTextField (see
    the mapping below); plain serializers declare it for texts written to one."""

    def __init__(self, *, max_length: int = LONG_TEXT, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length  # read by the OpenAPI schema as maxLength
        self.validators.append(MaxLengthValidator(max_length, message=too_long_message(max_length)))


# Every model serializer maps a LongTextField to the field above (DRF looks the mapping up
# along the model field's classes, so this entry wins over TextField's).
serializers.ModelSerializer.serializer_field_mapping[limits.LongTextField] = LongTextField
