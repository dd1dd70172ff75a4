from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark and its data generator (manage.py bench, generate_projects). Installed only
    when BENCH=true (settings): a production server has neither command. No models."""

    name = "bench"
