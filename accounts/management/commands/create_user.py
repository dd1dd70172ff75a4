import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER, sync_roles

ROLES = {"viewer": VIEWER, "editor": EDITOR, "administrator": ADMINISTRATOR}


class Command(BaseCommand):
    help = (
        "Create a staff user in one role (viewer, editor or administrator). The password is read "
        "from standard input with --password-stdin, or generated and printed once."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of stdin."
        )

    def handle(self, *args, username, role, email, password_stdin, **options):
        User = get_user_model()
        if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
        if password_stdin:
            password = (options.get("stdin") or sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        else:
            password = secrets.token_urlsafe(18)
        with transaction.atomic():
            sync_roles()
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({role}: {ROLES[role]})."))
        if not password_stdin:
            self.stdout.write(f"Password (shown once): {password}")
