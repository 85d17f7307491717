"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing NUL characters with a 400: PostgreSQL cannot
    compare text holding them, so the lookup would otherwise fail with a server error."""

    default_error_messages = {"null_characters": "Null characters are not allowed."}

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)
