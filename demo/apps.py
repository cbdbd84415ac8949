from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo province for `make run`: the top of the house, importing every app and imported by none."""

    name = "demo"
    verbose_name = "Demo province"
