from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region and the national data generator: the top floor, which may use every app."""

    name = "bastau.demo"
    verbose_name = "Demo"
