"""The desk officer's yearly workflow in the admin: the editions, next year's draft (its list
grouped by heading, with move, remove, choose developments and add), publishing, and the
comparison of two editions.

Every write goes through plans.services with the edition version the page was rendered with:
a page older than the edition is refused with a message, never saved over a colleague's change.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.compare import compare
from plans.models import Edition, Heading, Listing, Removal, RemovalReason
from projects.models import Development, Project
from tracker.errors import ApplicationError

PUBLISH_PERMISSION = "plans.publish_edition"
EDIT_PERMISSION = "plans.change_listing"


class ReadOnlyWhenPublished:
    """Inlines of an edition: nothing added, changed or deleted once it is published."""

    def _frozen(self, obj):
        return obj is not None and obj.is_published

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class HeadingInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = Heading
    fields = ["number", "name_ja", "name_en"]
    ordering = ["number"]
    extra = 0


class RemovalInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = Removal
    fields = ["name", "project", "reason", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["name", "project", "reason", "note", "recorded_by", "recorded_at"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # a removal is recorded from the draft's list (services.remove_listing)


class RemoveForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=RemovalReason.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class AddForm(forms.Form):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.order_by("number"))
    heading = forms.IntegerField(label=_("heading"), min_value=1, max_value=50)
    position = forms.IntegerField(label=_("position"), min_value=1, required=False)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "state", "project_count", "published_at"]
    list_display_links = ["year", "title"]
    ordering = ["-year"]
    fields = [
        "year",
        "title",
        "state",
        "source",
        "previous_year",
        "stated_count",
        "stated_previous_count",
        "stated_removed_count",
        "stated_added_count",
        "published_at",
        "published_by",
    ]
    readonly_fields = ["year", "state", "previous_year", "published_at", "published_by"]
    inlines = [HeadingInline, RemovalInline]
    change_list_template = "admin/plans/edition/change_list.html"
    change_form_template = "admin/plans/edition/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_total=Count("listings"))

    @admin.display(description=_("number of projects"), ordering="project_total")
    def project_count(self, obj):
        return obj.project_total

    def has_add_permission(self, request):
        return False  # a draft is started with the button (services.start_edition)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only the draft's title and stated facts are typed here; its list goes through services.
        super().save_model(request, obj, form, change)

    # URLs

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="plans_edition_start"),
            path("compare/", view(self.compare_view), name="plans_edition_compare"),
            path("<int:year>/list/", view(self.list_view), name="plans_edition_list"),
            path("<int:year>/list/change/", view(self.list_change_view), name="plans_edition_list_change"),
            path("<int:year>/publish/", view(self.publish_view), name="plans_edition_publish"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "may_start": request.user.has_perm(EDIT_PERMISSION)
            and request.user.has_perm("plans.add_edition"),
            "compare_url": reverse("admin:plans_edition_compare"),
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edition = self.get_object(request, object_id)
        extra = {}
        if edition is not None:
            extra = {
                "list_url": reverse("admin:plans_edition_list", args=[edition.year]),
                "publish_url": reverse("admin:plans_edition_publish", args=[edition.year]),
                "may_publish": not edition.is_published and request.user.has_perm(PUBLISH_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _edition(self, request, year):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        edition = get_object_or_404(Edition, year=year)
        if not edition.is_published and not request.user.has_perm(EDIT_PERMISSION):
            raise Http404
        return edition

    def start_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:plans_edition_changelist"))
        if not (request.user.has_perm(EDIT_PERMISSION) and request.user.has_perm("plans.add_edition")):
            raise PermissionDenied
        latest = Edition.objects.latest_published()
        year = latest.year + 1 if latest else int(request.POST.get("year") or 0)
        try:
            edition = services.start_edition(year, user=request.user)
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:plans_edition_changelist"))
        self.message_user(
            request, gettext("The %(year)s draft was started.") % {"year": edition.year}, messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:plans_edition_list", args=[edition.year]))

    def list_view(self, request, year):
        edition = self._edition(request, year)
        listings = list(
            edition.listings.select_related("project", "heading", "project__country")
            .prefetch_related(
                "developments",
                Prefetch("project__developments", queryset=Development.objects.order_by("sequence")),
            )
            .order_by("number")
        )
        previous = services.previous_edition(edition)
        shown_before = services.shown_in(previous)
        headings = list(edition.headings.order_by("number"))
        groups = {heading.pk: [] for heading in headings}
        for listing in listings:
            chosen = {d.pk for d in listing.developments.all()}
            shown = {d.pk for d in services.shown_developments(listing, previous, shown_before)}
            listing.development_choices = [
                {"development": d, "shown": d.pk in shown, "chosen": d.pk in chosen}
                for d in listing.project.developments.all()
            ]
            listing.default_chosen = not chosen
            groups[listing.heading_id].append(listing)
        editable = not edition.is_published and request.user.has_perm(EDIT_PERMISSION)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": edition.title,
            "edition": edition,
            "groups": [(heading, groups[heading.pk]) for heading in headings],
            "headings": headings,
            "count": len(listings),
            "editable": editable,
            "proposed": services.proposed_removals(edition) if editable else [],
            "reasons": RemovalReason.choices,
            "may_publish": not edition.is_published and request.user.has_perm(PUBLISH_PERMISSION),
            "add_projects": (
                Project.objects.exclude(listings__edition=edition).order_by("number") if editable else []
            ),
        }
        return TemplateResponse(request, "admin/plans/edition/list.html", context)

    def list_change_view(self, request, year):
        edition = self._edition(request, year)
        back = HttpResponseRedirect(reverse("admin:plans_edition_list", args=[edition.year]))
        if request.method != "POST":
            return back
        if not request.user.has_perm(EDIT_PERMISSION):
            raise PermissionDenied
        post = request.POST
        try:
            version = int(post.get("version", ""))
        except ValueError:
            self.message_user(request, gettext("The page is missing its version. Reload it."), messages.ERROR)
            return back
        kwargs = {"user": request.user, "expected_version": version}
        action = post.get("action", "")
        try:
            message = self._apply(edition, action, post, kwargs)
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return back
        except (Listing.DoesNotExist, ValueError):
            self.message_user(request, gettext("That row is no longer in the list."), messages.ERROR)
            return back
        if message is None:
            self.message_user(request, gettext("The change was not understood."), messages.ERROR)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return back

    def _apply(self, edition, action, post, kwargs):
        if action == "add":
            form = AddForm(post)
            if not form.is_valid():
                return None
            data = form.cleaned_data
            listing = services.add_listing(
                edition, data["project"], data["heading"], position=data["position"], **kwargs
            )
            return gettext("Added as No. %(number)s.") % {"number": listing.number}
        listing = edition.listings.select_related("heading", "project").get(pk=int(post.get("listing", "")))
        if action in ("up", "down"):
            rows = list(edition.listings.filter(heading=listing.heading).order_by("number"))
            place = rows.index(listing) + 1
            position = place - 1 if action == "up" else place + 1
            if position < 1 or position > len(rows):
                return gettext("Nothing to move.")
            services.move_listing(listing, position=position, **kwargs)
            return gettext("Moved.")
        if action == "heading":
            services.move_listing(listing, int(post.get("heading", "")), **kwargs)
            return gettext("Moved.")
        if action in ("remove", "remove_won"):
            data = {"reason": RemovalReason.WON, "note": ""} if action == "remove_won" else post
            form = RemoveForm(data)
            if not form.is_valid():
                return None
            services.remove_listing(listing, form.cleaned_data["reason"], form.cleaned_data["note"], **kwargs)
            return gettext("%(name)s was removed.") % {"name": listing.project.name}
        if action == "developments":
            ids = [int(value) for value in post.getlist("development")]
            chosen = list(listing.project.developments.filter(pk__in=ids))
            services.choose_developments(listing, chosen, **kwargs)
            return gettext("The developments shown were saved.")
        return None

    def publish_view(self, request, year):
        edition = self._edition(request, year)
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            try:
                version = int(request.POST.get("version", ""))
                services.publish(edition, user=request.user, expected_version=version)
            except ValueError:
                self.message_user(
                    request, gettext("The page is missing its version. Reload it."), messages.ERROR
                )
            except ApplicationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request, gettext("The %(year)s edition is published.") % {"year": year}, messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:plans_edition_list", args=[year]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Publish the %(year)s edition?") % {"year": year},
            "edition": edition,
            "count": edition.listings.count(),
            "comparison": _safe_compare(edition),
        }
        return TemplateResponse(request, "admin/plans/edition/publish.html", context)

    def compare_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        editions = list(Edition.objects.order_by("-year"))
        if not request.user.has_perm(EDIT_PERMISSION):
            editions = [e for e in editions if e.is_published]
        years = {e.year: e for e in editions}
        choices = sorted(set(years) | {e.previous_year for e in editions if e.previous_year}, reverse=True)
        comparison, error = None, ""
        one, other = request.GET.get("one"), request.GET.get("other")
        if one and other:
            try:
                one_year, other_year = int(one), int(other)
                first = years.get(one_year) or years[other_year]
                second = other_year if first.year == one_year else one_year
                comparison = compare(first, years.get(second) or second)
            except (ValueError, KeyError, Edition.DoesNotExist):
                error = gettext("These two editions cannot be compared.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Compare editions"),
            "choices": choices,
            "one": one,
            "other": other,
            "comparison": comparison,
            "error": error,
            "reasons": dict(RemovalReason.choices),
        }
        return TemplateResponse(request, "admin/plans/edition/compare.html", context)


def _safe_compare(edition):
    if edition.previous_year is None:
        return None
    try:
        return compare(edition, edition.previous_year)
    except Edition.DoesNotExist:
        return None
