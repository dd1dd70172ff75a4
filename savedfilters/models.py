"""A user's saved project-list filters: a name, the list's API-style query, and whether it is
the view their project list opens with."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from savedfilters.query import normalize_query


class SavedFilterQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The rows `user` sees and edits: their own, never another user's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class SavedFilter(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(
        _("filters"),
        max_length=1000,
        blank=True,
        help_text=_("The project list's filters as the API names them: region=south-asia&sector=rail"),
    )
    is_default = models.BooleanField(
        _("default view"), default=False, help_text=_("The project list opens with these filters.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = SavedFilterQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("You already have a saved filter of this name."),
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("Only one saved filter can be your default view."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The query is normalised and checked by the project list's own filter form; the name
        # is checked here too, so that a taken one is an error on `name` (not on the form).
        if self.owner_id is None:
            return
        self.query = normalize_query(self.query, user=self.owner)
        taken = SavedFilter.objects.filter(owner_id=self.owner_id, name=self.name).exclude(pk=self.pk)
        if self.name and taken.exists():
            raise ValidationError({"name": self._meta.constraints[0].violation_error_message})

    @property
    def params(self) -> QueryDict:
        """The filters, as a request's query would carry them."""
        return QueryDict(self.query)
