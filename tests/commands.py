"""Running a management command in a test and reading what it printed."""

import io

from django.core.management import call_command


def run_command(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()
