"""django-axes under a translated name: its admin section reads ログイン試行 in Japanese, not "Axes"."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Login attempts")
