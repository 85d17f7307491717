from django.apps import AppConfig


class SkillingConfig(AppConfig):
    name = "skilling"
    verbose_name = "Skilling"
