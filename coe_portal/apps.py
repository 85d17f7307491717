from django.apps import AppConfig


class CoePortalConfig(AppConfig):
    name = "coe_portal"
    verbose_name = "CoE Portal"

    def ready(self):
        # Registered before any serializer or schema is built: the API's field for
        # LongTextField, and the API token's scheme for drf-spectacular.
        from coe_portal import api_fields, openapi  # noqa: F401
