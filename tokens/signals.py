"""The security log's token events (issued, revoked), from the token model's save signals.

Imported by TokensConfig.ready(), so the receivers are connected in every process, commands too.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from tokens.models import APIToken
from tracker.log import log_event


@receiver(pre_save, sender=APIToken)
def _token_before_save(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata restores tokens; it issues none
        return
    instance._was_revoked = (
        instance.pk is not None and sender.objects.filter(pk=instance.pk, revoked=True).exists()
    )


@receiver(post_save, sender=APIToken)
def _token_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    owner = {"owner": instance.user.get_username(), "token": instance.prefix, "read_only": instance.read_only}
    if created:
        log_event("token_issued", **owner)
    elif instance.revoked and not getattr(instance, "_was_revoked", False):
        log_event("token_revoked", **owner)
