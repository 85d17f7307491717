from django.apps import AppConfig


class CoePortalConfig(AppConfig):
    name = "coe_portal"
    verbose_name = "CoE Portal"

    def ready(self):
        # Registers the API's field for LongTextField before any serializer is built.
        from coe_portal import api_fields  # noqa: F401
