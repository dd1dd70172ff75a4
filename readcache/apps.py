from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadCacheConfig(AppConfig):
    """The data version (version.py), the receivers that bump it (signals.py) and the
    conditional, cached reads built on it (responses.py)."""

    name = "readcache"
    verbose_name = _("Read cache")

    def ready(self):
        from readcache import signals

        signals.connect()
