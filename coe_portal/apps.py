from django.apps import AppConfig


class CoePortalConfig(AppConfig):
    name = "coe_portal"
    verbose_name = "CoE Portal"
