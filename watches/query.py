"""Which projects a user watches, and who watches a project: the one definition, used by the
digests, the feeds, the list's `watched` filter and the watch pages.

A user watches a project when they watch it, its country, its country's region, one of its
sectors or one of its schemes.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from projects.models import Project
from watches.models import Watch


def watched_projects_q(watches) -> Q:
    """A Q over Project matching what the given watches (a Watch queryset) cover."""
    return (
        Q(pk__in=watches.filter(project__isnull=False).values("project"))
        | Q(country__in=watches.filter(country__isnull=False).values("country"))
        | Q(country__region__in=watches.filter(region__isnull=False).values("region"))
        | Q(sectors__in=watches.filter(sector__isnull=False).values("sector"))
        | Q(schemes__in=watches.filter(scheme__isnull=False).values("scheme"))
    )


def watched_projects(user, projects=None):
    """The projects `user` watches (distinct), from `projects` (default: all)."""
    projects = Project.objects.all() if projects is None else projects
    covered = Project.objects.filter(watched_projects_q(Watch.objects.of(user))).values("pk")
    return projects.filter(pk__in=covered)


def watchers_q(project: Project) -> Q:
    """A Q over users matching those who watch `project` (through any of its targets)."""
    own = Watch.objects.filter(user=OuterRef("pk")).filter(
        Q(project=project)
        | Q(country_id=project.country_id)
        | Q(region__countries=project.country_id)
        | Q(sector__in=project.sectors.values("pk"))
        | Q(scheme__in=project.schemes.values("pk"))
    )
    return Q(Exists(own))


def watchers(project: Project):
    """The active users who watch `project`."""
    return get_user_model().objects.filter(is_active=True).filter(watchers_q(project))


def watched_by(user) -> Exists:
    """An annotation over Project: whether `user` watches the project itself (its star)."""
    return Exists(Watch.objects.filter(user=user, project=OuterRef("pk")))
