"""A project's responsible officers watch it: made responsible, a user gets a watch of the
project (which they may remove later; it is not re-added until they are made responsible again)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from projects.models import Project
from watches.models import Watch


@receiver(m2m_changed, sender=Project.responsible.through, dispatch_uid="watches.responsible_watch")
def _responsible_watch(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if reverse:  # user.responsible_for.add(projects)
        pairs = [(instance.pk, project_id) for project_id in pk_set]
    else:
        pairs = [(user_id, instance.pk) for user_id in pk_set]
    existing = set(
        Watch.objects.filter(
            user_id__in={u for u, _ in pairs}, project_id__in={p for _, p in pairs}
        ).values_list("user_id", "project_id")
    )
    Watch.objects.bulk_create(
        [Watch(user_id=u, project_id=p) for u, p in pairs if (u, p) not in existing], ignore_conflicts=True
    )
