from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tokens.models import DEFAULT_LIFETIME, APIToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'weekly export'.")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_LIFETIME.days,
            help="Days until it expires (default: %(default)s).",
        )
        parser.add_argument("--read-only", action="store_true", help="The token can only read.")

    def handle(self, *args, username, name, days, read_only, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        max_length = APIToken._meta.get_field("name").max_length
        if not name.strip() or len(name) > max_length:
            raise CommandError(f"--name must be 1 to {max_length} characters.")
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        token, key = APIToken.objects.issue(
            user=user, name=name, read_only=read_only, expires=timezone.now() + timedelta(days=days)
        )
        scope = "read-only" if read_only else "read-write"
        expires = timezone.localtime(token.expiry_date).strftime("%Y-%m-%d %H:%M")
        self.stderr.write(f"Token {token.prefix} for {username} ({scope}), expires {expires}. Key:")
        self.stdout.write(self.style.SUCCESS(key))
