from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """The outbox: one Event per change a follower cares about, written in the change's own
    transaction (events.record) and numbered in commit order (events.sequence). The digests
    and the webhooks read it from their own cursors."""

    name = "events"
    verbose_name = _("Events")

    def ready(self):
        import events.record  # noqa: F401 (each audited change writes its event)
