from django.core.management import call_command
from django.core.management.base import BaseCommand

from projects.models import Project


class Command(BaseCommand):
    help = "Load the 2023 action plan (fixtures/action_plan_2023.json); with --if-empty only into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds projects."
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Project.objects.exists():
            self.stdout.write(f"The database holds {Project.objects.count()} projects: nothing loaded.")
            return
        call_command("loaddata", "action_plan_2023", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the 2023 action plan: {Project.objects.count()} projects.")
        )
