"""Start next year's edition of the list: `python manage.py start_edition 2024`."""

from django.core.management.base import BaseCommand, CommandError

from plans.services import EditionError, proposed_removals, start_edition


class Command(BaseCommand):
    help = (
        "Start the draft of an edition: it carries every heading and listed project of the latest "
        "published edition, and lists the projects won since then, proposed (not applied) for removal."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The edition's year, after the latest published one.")

    def handle(self, *args, year, **options):
        try:
            edition = start_edition(year)
        except EditionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Started the {edition.year} edition (draft) from {edition.previous_year}: "
                f"{edition.listings.count()} projects under {edition.headings.count()} headings."
            )
        )
        proposals = proposed_removals(edition)
        if proposals:
            self.stdout.write("Won since the last edition, proposed for removal:")
            for proposal in proposals:
                self.stdout.write(f"  {proposal.listing.number} {proposal.listing.project.name}")
