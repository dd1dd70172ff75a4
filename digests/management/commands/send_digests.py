from django.core.management.base import BaseCommand, CommandError

from digests.run import send_digests


class Command(BaseCommand):
    help = (
        "Email each user what changed in what they watch since their last digest, with the "
        "responsible officers' reminders; send the digests an earlier run left unsent. Run daily."
    )

    def handle(self, *args, **options):
        outcome = send_digests()
        summary = f"{outcome.prepared} digest(s) prepared, {outcome.sent} sent, {outcome.failed} not sent."
        if outcome.failed:
            raise CommandError(summary + " The next run retries them.")
        self.stdout.write(self.style.SUCCESS(summary))
