"""The watch pages: "My watches" (/watches/: what the user watches, with remove buttons and a
form to add a country, region, sector or scheme) and the project star (a POST that toggles a
watch of one project, from the project page or the admin's list). Plain forms, no script."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countries.models import Country, Region
from projects.models import Project, Scheme, Sector
from tracker.paths import posted_next
from watches.models import TARGETS, Watch
from watches.services import watch_add, watch_toggle_project


def kind_labels() -> dict[str, str]:
    """Each kind of target's plural label, in the active language, in the order pages show them."""
    return {
        "project": _("Projects"),
        "country": _("Countries"),
        "region": _("Regions"),
        "sector": _("Sectors"),
        "scheme": _("Schemes"),
    }


def watch_button(project, *, form: str | None = None) -> str:
    """The star of a project: a submit button of a toggle form (`form`: the id of a form
    elsewhere on the page, where the button cannot sit inside its own). `project.watched` says
    whether the reader watches it (watches.query.watched_by)."""
    return render_to_string(
        "watches/star_button.html", {"project": project, "form_id": form, "compact": True}
    )


@login_required
@require_POST
def toggle(request):
    """Star or unstar the project `project` (its number); back to `next`."""
    number = request.POST.get("project", "")
    project = (
        get_object_or_404(Project, number=int(number)) if number.isdigit() and len(number) <= 9 else None
    )
    if project is None:
        messages.error(request, _("No such project."))
        return redirect(posted_next(request, reverse("watches:index")))
    watched = watch_toggle_project(user=request.user, project=project)
    message = _("You now watch No. %(number)s.") if watched else _("You no longer watch No. %(number)s.")
    messages.success(request, message % {"number": project.number})
    return redirect(posted_next(request, project.get_absolute_url()))


@login_required
@require_POST
def add(request):
    """Watch a country, region, sector or scheme: `target` is `<kind>:<code>` (the page's menu)."""
    kind, _sep, code = request.POST.get("target", "").partition(":")
    try:
        watch = watch_add(user=request.user, kind=kind, code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You now watch %(target)s.") % {"target": watch.target})
    return redirect("watches:index")


@login_required
@require_POST
def remove(request, pk: int):
    """Stop watching: only one's own watch (another's is a 404)."""
    watch = get_object_or_404(Watch.objects.of(request.user), pk=pk)
    target = str(watch.target)
    watch.delete()
    messages.success(request, _("You no longer watch %(target)s.") % {"target": target})
    return redirect(posted_next(request, reverse("watches:index")))


@login_required
@require_GET
def index(request):
    """What the user watches, by kind, and the menu to add a country, region, sector or scheme."""
    watches = list(
        Watch.objects.of(request.user).select_related(*TARGETS, "country__region").order_by("created", "id")
    )
    labels = kind_labels()
    groups = [
        {"kind": kind, "label": labels[kind], "watches": [w for w in watches if w.target_field == kind]}
        for kind in TARGETS
    ]
    for group in groups:
        if group["kind"] == "project":
            group["watches"].sort(key=lambda watch: watch.project.number)
    watched = {(w.target_field, w.target.pk) for w in watches}
    choices = [
        (
            labels[kind],
            [(f"{kind}:{code}", str(item)) for item, code in rows if (kind, item.pk) not in watched],
        )
        for kind, rows in (
            ("country", ((c, c.iso_code) for c in Country.objects.order_by("iso_code"))),
            ("region", ((r, r.code) for r in Region.objects.all())),
            ("sector", ((s, s.code) for s in Sector.objects.all())),
            ("scheme", ((s, s.code) for s in Scheme.objects.all())),
        )
    ]
    context = {
        "title": _("My watches"),
        "nav": "watches",
        "groups": groups,
        "count": len(watches),
        "choices": choices,
    }
    return render(request, "watches/index.html", context)
