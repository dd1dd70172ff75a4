"""The security log's token events (issued, revoked), from the token model's save signals.

Imported by TokensConfig.ready(), so the receivers are connected in every process, commands too.
A bulk update sends no signal: its caller logs each token with log_token_revoked().
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from tokens.models import APIToken
from tracker.log import log_event


def _fields(token) -> dict:
    # The prefix names the token; its key is never logged.
    return {"owner": token.user.get_username(), "token": token.prefix, "read_only": token.read_only}


def log_token_issued(token) -> None:
    log_event("token_issued", **_fields(token))


def log_token_revoked(token, **extra) -> None:
    """Log a revocation; `extra` says how, e.g. by="command"."""
    log_event("token_revoked", **_fields(token), **extra)


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
    if created:
        log_token_issued(instance)
    elif instance.revoked and not getattr(instance, "_was_revoked", False):
        log_token_revoked(instance)
