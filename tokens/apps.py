from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = _("API tokens")

    def ready(self):
        from tokens import (
            schema,  # noqa: F401 -- registers the OpenAPI extension
            signals,  # noqa: F401 -- connects the security log's token receivers
        )
