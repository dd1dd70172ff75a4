"""`?saved=<id>` on the project list and its exports (settings.FILTER_PRESETS): the filters of
one of the requesting user's saved filters. Explicit filters in the same request replace the
saved value of that filter (tracker.api.FilterBackend)."""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from savedfilters.models import SavedFilter

DESCRIPTION = _(
    "The id of one of your saved filters (/api/saved-filters/): its filters apply as if given "
    "here. A filter also given explicitly replaces the saved one's value. Another user's or an "
    "unknown id is a 400."
)


class SavedFilterPreset:
    def resolve(self, request, value: str) -> QueryDict:
        saved = None
        if value and value.isdigit() and len(value) < 19:
            saved = SavedFilter.objects.owned_by(request.user).filter(pk=int(value)).first()
        if saved is None:
            raise ValidationError(gettext("You have no saved filter with this id."))
        return saved.params

    def schema_parameter(self, name: str) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": str(DESCRIPTION),
            "schema": {"type": "integer", "minimum": 1},
        }


saved_filter = SavedFilterPreset()
