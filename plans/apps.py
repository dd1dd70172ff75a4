from django.apps import AppConfig


class PlansConfig(AppConfig):
    """The action plan's text and its fixture: the parser, the fixture builder and the commands
    that build and load it. No models: the plan's data lives in the projects app's."""

    name = "plans"
