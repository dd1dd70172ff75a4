"""The "Feed subscriptions" page (/feeds/): a user creates and revokes their feed keys, and
copies the feeds' URLs, for the front page's filters (passed on in the query) and for their watches.

A new key is shown once, in the answer to the POST that creates it, inside the feeds' URLs;
only its hash is stored. Anyone with such a URL reads the feed, so the page says so.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from feeds.keys import FEED_PERMISSION
from feeds.models import MAX_ACTIVE_KEYS, FeedKey
from feeds.query import LANGUAGES, LIMIT, BadFeedQuery, feed_query
from projects.filtersets import described_filters
from tracker.log import log_event

KEY_PLACEHOLDER = "KEY"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


class FeedKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the key is for"),
        max_length=FeedKey._meta.get_field("name").max_length,
        initial=gettext_lazy("Feed reader"),
    )


def feed_urls(request, key: str, filters: QueryDict) -> list[dict]:
    """The feeds' absolute URLs for `key`, each in both languages."""
    feeds = [
        ("developments", _("Developments of the projects matching these filters"), filters),
        ("watching", _("Developments of the projects I watch"), QueryDict()),
    ]
    urls = []
    for name, title, query in feeds:
        path = reverse(f"feeds:{name}", args=[key])
        links = []
        for language in LANGUAGES:
            params = query.copy()
            params["lang"] = language
            links.append(
                (LANGUAGE_NAMES[language], request.build_absolute_uri(f"{path}?{params.urlencode()}"))
            )
        urls.append({"name": name, "title": title, "links": links})
    return urls


def _allowed(request) -> None:
    if not request.user.has_perm(FEED_PERMISSION):
        raise PermissionDenied


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def subscriptions(request):
    _allowed(request)
    filters, errors = QueryDict(), {}
    try:
        query = feed_query(request.GET, request.user)
        filters = query.filters
    except BadFeedQuery as error:
        errors = error.errors
    form = FeedKeyForm(request.POST if request.method == "POST" else None)
    active = FeedKey.objects.of(request.user).active()
    new_key = None
    if request.method == "POST" and not errors and form.is_valid():
        if active.count() >= MAX_ACTIVE_KEYS:
            form.add_error(None, _("You have %(count)d keys: revoke one first.") % {"count": MAX_ACTIVE_KEYS})
        else:
            feed_key, new_key = FeedKey.objects.issue(user=request.user, name=form.cleaned_data["name"])
            log_event("feed_key_issued", request=request, key=feed_key.prefix)
            form = FeedKeyForm()
    context = {
        "title": _("Feed subscriptions"),
        "nav": "feeds",
        "errors": errors,
        "filters": described_filters(filters),
        "query": filters.urlencode(),
        "form": form,
        "keys": list(active),
        "new_key": new_key,
        "new_urls": feed_urls(request, new_key, filters) if new_key else [],
        "url_patterns": feed_urls(request, KEY_PLACEHOLDER, filters),
        "placeholder": KEY_PLACEHOLDER,
        "limit": LIMIT,
    }
    status = 400 if errors or form.errors else 201 if new_key else 200
    response = render(request, "feeds/subscriptions.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown this once
    return response


@require_POST
@login_required
def revoke(request, prefix):
    _allowed(request)
    feed_key = FeedKey.objects.of(request.user).filter(prefix=prefix, revoked=False).first()
    if feed_key is None:
        raise Http404
    feed_key.revoked = True
    feed_key.save(update_fields=["revoked"])
    log_event("feed_key_revoked", request=request, key=feed_key.prefix)
    messages.success(
        request, _("The key “%(name)s” is revoked: its feeds no longer open.") % {"name": feed_key.name}
    )
    query = request.GET.urlencode()
    return redirect(reverse("feeds:subscriptions") + (f"?{query}" if query else ""))
