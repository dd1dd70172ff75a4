from django.core.management.base import BaseCommand, CommandError

from tokens.models import APIToken
from tokens.signals import log_token_revoked


class Command(BaseCommand):
    help = "Revoke API tokens, by prefix (the part of the key before the dot) or all of a user's."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("prefix", nargs="?", help="The token's prefix, as listed in the admin.")
        group.add_argument("--user", help="Revoke every token of this user.")

    def handle(self, *args, prefix, user, **options):
        tokens = APIToken.objects.filter(revoked=False)
        tokens = tokens.filter(user__username=user) if user else tokens.filter(prefix=prefix)
        revoked = list(tokens.select_related("user"))
        count = tokens.update(revoked=True)
        for token in revoked:  # update() sends no signal
            log_token_revoked(token, by="command")
        if not count:
            raise CommandError("No such active token.")
        self.stdout.write(self.style.SUCCESS(f"Revoked {count} token(s)."))
