"""What the digests' tests share: who got which change, read from the digests sent."""

from collections import Counter

from django.core import mail

from digests.models import Digest, DigestStatus


def told() -> Counter:
    """(user id, event seq) → how many sent digests told it."""
    return Counter(
        (user_id, seq)
        for user_id, seqs in Digest.objects.filter(status=DigestStatus.SENT).values_list("user_id", "events")
        for seq in seqs
    )


def outbox_for(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]
