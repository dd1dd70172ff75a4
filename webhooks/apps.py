from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed HTTPS POSTs of the outbox's events to the endpoints administrators register
    (manage.py deliver_webhooks): each event at least once per endpoint, with retries."""

    name = "webhooks"
    verbose_name = _("Webhooks")
