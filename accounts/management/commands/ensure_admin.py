import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.roles import ADMINISTRATOR, sync_roles


class Command(BaseCommand):
    help = (
        "Make sure an administrator account exists. On first run it creates one with a random "
        "password, printed once; later runs change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="Name of the account to create.")

    @transaction.atomic
    def handle(self, *args, username, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(f"Administrator account exists: {existing.get_username()}")
            return
        password = secrets.token_urlsafe(15)
        user = User.objects.create_superuser(username=username, email="", password=password)
        sync_roles()
        user.groups.add(Group.objects.get(name=ADMINISTRATOR))
        self.stdout.write(self.style.SUCCESS(f"Created administrator account: {username}"))
        self.stdout.write(self.style.WARNING(f"Password (shown only this once): {password}"))
