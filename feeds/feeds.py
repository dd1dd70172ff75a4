"""The Atom feeds of developments (django.contrib.syndication), opened by a feed key in the URL.

/feeds/<key>/developments.atom?<the project list's filters>&lang=ja|en: the developments of the
filtered list; /feeds/<key>/watching.atom: those of the projects the key's user watches. Each
entry is one development: its project's number and name, kind, partial date and text, a link to
the project's page, its recorder, when it was recorded, and a tag: URI that never changes.

The text is in the feed's `lang` (Japanese by default): feed readers send no language cookie.
A feed is built in a fixed number of queries, whatever the number of entries.
"""

from django.contrib.syndication.views import Feed
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from countries.models import localized_name
from feeds.keys import FeedRefused, feed_user, plain_response, refused_response
from feeds.query import LIMIT, BadFeedQuery, developments, feed_query, watched_developments
from projects.audit import editor_label
from projects.dates import format_partial_date
from projects.filtersets import described_filters

# The tag: URIs' date (RFC 4151): when this site started minting them. Never change it.
TAG_DATE = "2026"


def tag_authority(request) -> str:
    """The site's host name, without its port: the authority of its tag: URIs."""
    host = request.get_host()
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


class DevelopmentFeed(Feed):
    """One feed, made for one request (the views below): it keeps the request's user and host."""

    feed_type = Atom1Feed
    kind = "developments"

    def __call__(self, request, key):
        try:
            self.user = feed_user(request, key)
        except FeedRefused as refusal:
            return refused_response(refusal)
        try:
            self.query = feed_query(request.GET, self.user)
        except BadFeedQuery as error:
            lines = [f"{name}: {' '.join(messages)}" for name, messages in error.errors.items()]
            return plain_response("\n".join(lines), 400)
        self.authority = tag_authority(request)
        self.request = request
        with translation.override(self.query.language):
            response = super().__call__(request)
        # The feed is its user's: no shared cache keeps it, no search engine lists it.
        response["Cache-Control"] = "private"
        response["X-Robots-Tag"] = "noindex"
        return response

    def _tag(self, specific: str) -> str:
        return f"tag:{self.authority},{TAG_DATE}:{specific}"

    def items(self):
        return developments(self.query)

    def _filters(self) -> str:
        return "; ".join(f"{label}: {values}" for label, values in described_filters(self.query.filters))

    def title(self):
        filters = self._filters()
        title = _("Developments: %(filters)s") % {"filters": filters} if filters else _("Developments")
        return f"{title} | {_('Overseas Infrastructure Tracker')}"

    def subtitle(self):
        return _("The %(limit)d developments recorded last, newest first.") % {"limit": LIMIT}

    def link(self):
        query = self.query.filters.urlencode()
        return reverse("portal:front") + (f"?{query}" if query else "")

    def feed_url(self):
        return self.request.get_full_path()

    def feed_guid(self):
        query = self.query.filters.copy()
        query["lang"] = self.query.language
        return self._tag(f"feeds/{self.kind}?{query.urlencode()}")

    def author_name(self):
        # Atom asks for an author of the feed, for entries without one (recorded by a command).
        return _("Overseas Infrastructure Tracker")

    def item_title(self, item):
        project = _("No. %(number)s %(name)s") % {
            "number": item.project.number,
            "name": item.project.display_name,
        }
        date = format_partial_date(item.date, item.date_precision, item.date_end)
        if date:
            return _("%(project)s — %(kind)s (%(date)s)") % {
                "project": project,
                "kind": item.get_kind_display(),
                "date": date,
            }
        return _("%(project)s — %(kind)s") % {"project": project, "kind": item.get_kind_display()}

    def item_description(self, item):
        # Atom's summary is HTML here: the text is escaped, its line breaks kept.
        date = format_partial_date(item.date, item.date_precision, item.date_end)
        facts = " · ".join(
            part for part in (localized_name(item.project.country), item.get_kind_display(), date) if part
        )
        return format_html("<p>{}</p><p>{}</p>", facts, linebreaksbr(item.text))

    def item_link(self, item):
        return item.project.get_absolute_url()

    def item_guid(self, item):
        return self._tag(f"development/{item.pk}")

    def item_guid_is_permalink(self, item):
        return False

    def item_author_name(self, item):
        return editor_label(item.recorded_by) if item.recorded_by else None

    def item_pubdate(self, item):
        return item.recorded_at

    def item_updateddate(self, item):
        return item.recorded_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class WatchingFeed(DevelopmentFeed):
    kind = "watching"

    def items(self):
        return watched_developments(self.query, self.user)

    def title(self):
        filters = self._filters()
        title = _("Developments of the projects I watch")
        return (
            f"{title}: {filters} | {_('Overseas Infrastructure Tracker')}"
            if filters
            else (f"{title} | {_('Overseas Infrastructure Tracker')}")
        )


@require_safe
def developments_feed(request, key):
    return DevelopmentFeed()(request, key)


@require_safe
def watching_feed(request, key):
    return WatchingFeed()(request, key)
