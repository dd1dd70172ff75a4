from django.core.management.base import BaseCommand

from accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create the viewer, editor and administrator groups and set their permissions."

    def handle(self, *args, **options):
        for role, count in sync_roles().items():
            self.stdout.write(self.style.SUCCESS(f"{role}: {count} permissions"))
