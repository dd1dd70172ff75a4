"""A project's page for readers (/projects/<number>/): a fact sheet that prints on one A4 page.

Everything the page shows is read in a fixed number of queries, whatever the number of
developments, status changes or editions (tests/portal/test_project.py counts them).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from plans.models import Listing, Removal
from plans.selection import visible_editions
from projects.audit import editor_label
from projects.dates import format_partial_date
from projects.models import Development, Project, StatusChange
from tracker.locale import is_english
from watches.query import watched_by

# The timeline reads oldest first, as a story and as the plan's own 直近における動き does. An
# undated entry states the situation as of its source ("協議中", "施工中"), so it closes the
# story rather than opening it.
TIMELINE_ORDER = (F("date").asc(nulls_last=True), F("date_end").asc(nulls_first=True), "sequence")


def project_page_queryset(user):
    """Projects with all their page needs: country and region, sectors, schemes, "won", whether
    `user` watches it (the star), the responsible officers, the
    developments in timeline order, the status history with who recorded it, and the listings
    and removals of the editions `user` may see (drafts only for editors)."""
    editions = visible_editions(user)
    return (
        Project.objects.with_won()
        .annotate(watched=watched_by(user))
        .select_related("country__region")
        .prefetch_related(
            "sectors",
            "schemes",
            "responsible",
            Prefetch("developments", Development.objects.order_by(*TIMELINE_ORDER), to_attr="timeline"),
            Prefetch(
                "status_changes",
                StatusChange.objects.select_related("recorded_by").order_by("sequence"),
                to_attr="status_history",
            ),
            Prefetch(
                "listings",
                Listing.objects.filter(edition__in=editions)
                .select_related("edition", "heading")
                .order_by("-edition__year"),
                to_attr="edition_listings",
            ),
            Prefetch(
                "removals",
                Removal.objects.filter(edition__in=editions)
                .select_related("edition")
                .order_by("-edition__year"),
                to_attr="edition_removals",
            ),
        )
    )


def _recorder(user) -> str:
    """Who recorded a status change; "" for a row without a user (loaded with the plan's text, or
    by a command), whose recording date says nothing about the project."""
    return "" if user is None else editor_label(user)


class ProjectPageView(LoginRequiredMixin, TemplateView):
    """One project as a reader sees it; its links to the admin and the API follow the user's
    permissions (the edit link only for those who may change projects)."""

    template_name = "portal/project.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        project = get_object_or_404(project_page_queryset(user), number=self.kwargs["number"])
        for development in project.timeline:
            development.date_text = format_partial_date(
                development.date, development.date_precision, development.date_end
            )
        for change in project.status_history:
            change.effective_text = format_partial_date(change.effective_on, change.effective_precision)
            change.recorder = _recorder(change.recorded_by)
        english = is_english()
        primary, secondary = project.name, project.name_en
        if english and project.name_en:
            primary, secondary = project.name_en, project.name
        context.update(
            project=project,
            title=f"{project.number} {primary}",
            primary_name=primary,
            secondary_name=secondary,
            secondary_lang="ja" if english and project.name_en else "en",
            sectors=list(project.sectors.all()),
            schemes=list(project.schemes.all()),
            responsible=[editor_label(officer) for officer in project.responsible.all()],
            editions=self._editions(project),
            links=self._links(project, user),
        )
        return context

    @staticmethod
    def _editions(project):
        """Each visible edition's word on the project, newest first: a listing or a removal."""
        entries = [{"year": listing.edition.year, "listing": listing} for listing in project.edition_listings]
        entries += [
            {"year": removal.edition.year, "removal": removal} for removal in project.edition_removals
        ]
        return sorted(entries, key=lambda entry: -entry["year"])

    @staticmethod
    def _links(project, user):
        links = {
            "history": reverse("admin:projects_project_history", args=[project.pk]),
            "api": reverse("project-detail", args=[project.pk]),
            "list": reverse("admin:projects_project_changelist"),
        }
        if user.has_perm("projects.change_project"):
            links["edit"] = reverse("admin:projects_project_change", args=[project.pk])
        return links
