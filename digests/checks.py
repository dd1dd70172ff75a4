"""The digests' system check: their links need the site's address (settings.SITE_URL)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility, deploy=True)
def check_site_url(app_configs, **kwargs):
    if settings.SITE_URL.startswith(("https://", "http://")):
        return []
    return [
        Error(
            "SITE_URL is not set and no single host in ALLOWED_HOSTS gives it: the digests' links "
            "would have no address.",
            hint='Set SITE_URL=https://<the host readers use> (README, "Staying informed").',
            id="digests.E001",
        )
    ]
