import signal
import threading

from django.core.management.base import BaseCommand

from webhooks import run


class Command(BaseCommand):
    help = (
        "POST the new events to the webhook endpoints and retry the due deliveries: one pass, "
        "or with --loop a pass every --interval seconds until SIGTERM or SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, a pass every --interval seconds."
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between passes (default 10)."
        )

    def handle(self, *args, loop=False, interval=10.0, **options):
        if not loop:
            self._report(run.deliver_webhooks())
            return
        stop = threading.Event()
        previous = {
            sig: signal.signal(sig, lambda *_args: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not stop.is_set():
                self._report(run.deliver_webhooks())
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Stopped.")

    def _report(self, outcome):
        summary = f"{outcome.queued} delivery(ies) queued, {outcome.sent} sent, {outcome.failed} failed."
        self.stdout.write(self.style.SUCCESS(summary) if not outcome.failed else self.style.WARNING(summary))
