"""The "save these filters" form of the admin's project list and the front page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from savedfilters.models import SavedFilter
from savedfilters.services import saved_filter_create


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Use as my default view"), required=False)
    # The filters being saved, API-style; the service checks them like the list does.
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def save(self, *, owner) -> SavedFilter | None:
        """The saved filter, or None with the model's errors added to the form."""
        try:
            return saved_filter_create(owner=owner, **self.cleaned_data)
        except ValidationError as exc:
            self.add_error(None, exc)
            return None
