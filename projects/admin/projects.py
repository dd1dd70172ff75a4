"""The desk officers' daily tool: projects with their developments and status history.

Every write goes through projects.services, so the admin, the API, imports and commands share
one set of rules: the optimistic lock on Project.version, sequence numbers, the search text,
and one audit row per changed row.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value, unquote
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import may_change_development, may_delete_development
from projects import services
from projects.admin.conflicts import merge_onto_current
from projects.admin.export_views import ExportViews
from projects.admin.filters import (
    EditionFilter,
    MultiChoicesFilter,
    MultiRelatedByNameFilter,
    MultiRelatedFilter,
    NewInEditionFilter,
    ResponsibleFilter,
    SchemeFamilyFilter,
    WonFilter,
)
from projects.admin.forms import DevelopmentForm, ProjectAdminForm, effective_kwargs
from projects.admin.history_views import AuditHistoryViews
from projects.admin.status_action import BulkStatusAction
from projects.audit import editor_label
from projects.dates import format_partial_date
from projects.models import PROJECT_FIELDS, PROJECT_RELATIONS, Development, Project, Status, StatusChange
from projects.text import normalize_for_search
from tracker.locale import is_english

STATUS_FORM_FIELDS = ["new_status", "status_effective_on", "status_note"]


def _join(names) -> str:
    separator = ", " if is_english() else "、"
    return separator.join(str(name) for name in names)


def _partial_date(value, precision, date_end=None) -> str:
    return format_partial_date(value, precision, date_end)


def _check(value) -> str:
    return display_for_value(True, "", boolean=True) if value else ""


def _starts_with_its_date(project) -> bool:
    """The latest development's text opens with its own date ("2023年3月、…"), as the plan
    writes them: the list then shows the text alone rather than the date twice."""
    when = format_partial_date(
        project.latest_development_date, project.latest_development_date_precision, language="ja"
    )
    text = normalize_for_search(project.latest_development_text, keep_spaces=False)
    return bool(when) and text.startswith(normalize_for_search(when, keep_spaces=False))


class ProjectRowsFormSet(BaseInlineFormSet):
    """A project's developments or status changes, shown for one reader.

    Each row learns whether the reader may follow its recorder's link, and whether they may
    correct or delete it (an editor: the rows they recorded; an administrator: all).
    """

    def __init__(self, *args, user=None, conflict=None, **kwargs):
        self.user, self.conflict = user, conflict
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        row = form.instance
        row.reader_may_open_users = self.user is not None and self.user.has_perm("auth.change_user")
        if row.pk and self.model is Development and self.user is not None:
            if not may_change_development(self.user, row):
                # Its values, not its key: a disabled input is not posted by a browser.
                for name in DevelopmentForm.base_fields:
                    if name in form.fields:
                        form.fields[name].disabled = True
            if DELETION_FIELD_NAME in form.fields and not may_delete_development(self.user, row):
                form.fields[DELETION_FIELD_NAME].disabled = True
        return form

    def clean(self):
        super().clean()
        if self.conflict is not None:
            self.conflict.add_formset_errors(self)


def _recorder(row) -> str:
    """The recorder's name, linked to their account only for a reader who may change it."""
    if row is None or row.recorded_by is None:
        return ""
    name = editor_label(row.recorded_by)
    if getattr(row, "reader_may_open_users", False):
        url = reverse("admin:auth_user_change", args=[row.recorded_by.pk])
        return format_html('<a href="{}">{}</a>', url, name)
    return name


class DevelopmentInline(admin.TabularInline):
    """Developments, newest first; new rows are written by `development_add`."""

    model = Development
    form = DevelopmentForm
    formset = ProjectRowsFormSet
    fields = ["kind", "text", "when", "until", "source", "recorder", "recorded_on"]
    readonly_fields = ["recorder", "recorded_on"]
    ordering = ["-sequence"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    # Shown when the inline is read only; editable rows use the form's fields of these names.
    @admin.display(description=_("Date"))
    def when(self, obj):
        return _partial_date(obj.date, obj.date_precision)

    @admin.display(description=_("Until"))
    def until(self, obj):
        return _partial_date(obj.date_end, obj.date_precision)

    @admin.display(description=_("recorded by"))
    def recorder(self, obj):
        return _recorder(obj)

    @admin.display(description=_("recorded at"))
    def recorded_on(self, obj):
        # A new row has no time yet: development_add stamps it when the page is saved.
        return display_for_value(obj.recorded_at, "") if obj is not None and obj.pk else ""


class StatusChangeInline(admin.TabularInline):
    """The status history: appended by `project_change_status` only, never edited here."""

    model = StatusChange
    formset = ProjectRowsFormSet
    fields = ["sequence", "status", "previous_status", "effective", "note", "recorder", "recorded_at"]
    readonly_fields = fields
    ordering = ["-sequence"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    @admin.display(description=_("effective date"))
    def effective(self, obj):
        return _partial_date(obj.effective_on, obj.effective_precision)

    @admin.display(description=_("recorded by"))
    def recorder(self, obj):
        return _recorder(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ExportViews, BulkStatusAction, AuditHistoryViews, SimpleHistoryAdmin):
    """The projects: the changelist with its exports and bulk status change (export_views.py,
    status_action.py), the change page below, and the History page (history_views.py)."""

    form = ProjectAdminForm
    list_display = [
        "watch_star",
        "number",
        "display_name",
        "country",
        "sector_list",
        "scheme_list",
        "status",
        "latest_development",
        "won",
        "responsible_list",
        "updated",
    ]
    list_display_links = ["number", "display_name"]
    # Every filter but the yes/no ones takes several values (filters.py).
    list_filter = [
        ResponsibleFilter,
        ("country__region", MultiRelatedFilter),
        ("country", MultiRelatedByNameFilter),
        ("sectors", MultiRelatedFilter),
        SchemeFamilyFilter,
        ("schemes", MultiRelatedFilter),
        ("status", MultiChoicesFilter),
        WonFilter,
        EditionFilter,
        NewInEditionFilter,
    ]
    show_facets = admin.ShowFacets.NEVER  # counts are not computed for several chosen values
    list_select_related = ["country"]
    list_per_page = 100
    # The search box needs one entry here; get_search_results does the actual matching.
    search_fields = ["number"]
    search_help_text = _(
        "A number (36, No.36, 36番) finds that project. Words are matched in the names, summary, "
        "developments and the country and region names, in Japanese or English, whatever their "
        "width (２０２３ = 2023); every word must match."
    )
    ordering = ["number"]
    autocomplete_fields = ["country"]
    filter_horizontal = ["responsible"]
    readonly_fields = ["current_status", "editions", "created", "updated"]
    inlines = [DevelopmentInline, StatusChangeInline]
    actions = ["change_status_selected"]
    save_on_top = True
    object_history_template = "admin/projects/project/object_history.html"

    def get_queryset(self, request):
        # The changelist's computed columns come from annotations and two prefetches, so the
        # page runs the same number of queries however many projects it shows. The star (the
        # reader watches the project itself) is an annotation too; imported here: watches
        # depends on projects, not the reverse.
        from watches.query import watched_by

        return (
            super()
            .get_queryset(request)
            .with_won()
            .with_latest_development()
            .prefetch_related("sectors", "schemes", "responsible")
            .annotate(watched=watched_by(request.user))
        )

    def changelist_view(self, request, extra_context=None):
        # The user's saved filters: the default view, `?saved=<id>`, `?all=1`, the menu and the
        # save form. Imported here: savedfilters depends on projects, not the reverse.
        from savedfilters.admin_list import redirect_for, without_show_all
        from savedfilters.context import for_admin

        if (redirect := redirect_for(request)) is not None:
            return redirect
        request = without_show_all(request)
        extra_context = {**(extra_context or {}), "saved_filters": for_admin(request)}
        return super().changelist_view(request, extra_context)

    def get_deleted_objects(self, objs, request):
        """A project's developments and status changes go with it, under the project's delete
        permission: their lists across projects are read-only (read_only_lists.py), which the
        admin would otherwise take for "may not delete them" and refuse the project's delete."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own_rows = {str(Development._meta.verbose_name), str(StatusChange._meta.verbose_name)}
        return deleted, counts, {name for name in perms_needed if str(name) not in own_rows}, protected

    def get_search_results(self, request, queryset, search_term):
        # The one search definition, shared with the API's `q` (ProjectQuerySet.search).
        if not normalize_for_search(search_term):
            return queryset, False
        return queryset.search(search_term), False

    # Columns

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj):
        return obj.display_name

    @admin.display(description=_("sectors"))
    def sector_list(self, obj):
        return _join(obj.sectors.all())

    @admin.display(description=_("schemes"))
    def scheme_list(self, obj):
        return _join(obj.schemes.all())

    @admin.display(description=_("responsible officers"))
    def responsible_list(self, obj):
        return _join(editor_label(user) for user in obj.responsible.all())

    @admin.display(description="☆")
    def watch_star(self, obj):
        # The button belongs to the page's one toggle form (change_list.html), outside the
        # list's actions form: forms do not nest.
        from watches.views import watch_button

        return watch_button(obj, form="watch-toggle-form")

    @admin.display(description=_("latest development"), ordering="latest_development_date")
    def latest_development(self, obj):
        if not obj.latest_development_text:
            return ""
        when = _partial_date(obj.latest_development_date, obj.latest_development_date_precision)
        text = Truncator(obj.latest_development_text).chars(40)
        if not when or _starts_with_its_date(obj):
            return text
        return format_html('<span class="development-date">{}</span> {}', when, text)

    # Yes/no columns show ✓ for yes and nothing for no: a column of red ✗ read as errors.

    @admin.display(description=_("won"), ordering="won", empty_value="")
    def won(self, obj):
        return _check(obj.won)

    @admin.display(description=_("current status"))
    def current_status(self, obj):
        if obj is None or obj.pk is None:
            return ""
        label = obj.get_status_display()
        latest = max(obj.status_changes.all(), key=lambda change: change.sequence, default=None)
        if latest is not None and latest.effective_on:
            since = _partial_date(latest.effective_on, latest.effective_precision)
            return gettext("%(status)s since %(date)s") % {"status": label, "date": since}
        return label

    @admin.display(description=_("editions"))
    def editions(self, obj):
        """The plan's editions the reader may see that list the project, with its number there."""
        if obj is None or obj.pk is None:
            return ""
        from plans.selection import visible_editions

        listings = obj.listings.filter(
            edition__in=visible_editions(getattr(obj, "reader", None))
        ).select_related("edition", "heading")
        rows = [
            format_html(
                '<a href="{}">{}</a>: No. {} {}{}',
                reverse("admin:plans_edition_list", args=[listing.edition.year]),
                listing.edition.year,
                listing.number,
                listing.heading,
                " 【新規案件】" if listing.is_new else "",
            )
            for listing in listings.order_by("edition__year")
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((row,) for row in rows)) if rows else ""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.reader = request.user  # the editions panel shows drafts to editors only
        return obj

    # The change page

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": PROJECT_FIELDS}), (_("Status"), {"fields": STATUS_FORM_FIELDS})]
        if not self.has_change_permission(request, obj):
            return [
                (None, {"fields": PROJECT_FIELDS}),
                (_("Status"), {"fields": ["current_status"]}),
                (_("Plan editions"), {"fields": ["editions"]}),
                (_("Record"), {"fields": ["created", "updated"]}),
            ]
        status_fields = ["current_status"]
        if self.can_change_status(request):
            status_fields += STATUS_FORM_FIELDS
        return [
            # The hidden version is the optimistic lock: a save based on an older version
            # is refused (save_model), so a colleague's edit is never overwritten.
            (None, {"fields": [*PROJECT_FIELDS, "expected_version", "seen_history"]}),
            (_("Status"), {"fields": status_fields}),
            (_("Plan editions"), {"fields": ["editions"]}),
            (_("Record"), {"fields": ["created", "updated"], "classes": ["collapse"]}),
        ]

    # Two officers on one project: a page saved after a colleague's save is merged onto the
    # project as it now is (projects.admin.conflicts). Without a real conflict it is saved;
    # with one, it comes back with the officer's entries and the colleague's change.

    MERGE_ATTEMPTS = 3

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        posted = request.POST
        for attempt in range(self.MERGE_ATTEMPTS):
            request.edit_conflict = self._merge_if_stale(request, object_id, posted, attempt)
            context = {**(extra_context or {}), "edit_conflict": request.edit_conflict}
            try:
                return super().changeform_view(request, object_id, form_url, context)
            except services.StaleVersion:
                # Someone saved between our look (_merge_if_stale) and our write, which
                # save_model refused under the row lock: the transaction rolled back, nothing
                # was written; merge again onto their version.
                continue
        raise AssertionError("unreachable: the last attempt refuses instead of saving")  # pragma: no cover

    def _merge_if_stale(self, request, object_id, posted, attempt):
        last = attempt + 1 == self.MERGE_ATTEMPTS
        try:
            project = Project.objects.get(pk=unquote(object_id))
        except (Project.DoesNotExist, ValueError, ValidationError):
            return None
        version = posted.get("expected_version")
        if not self.has_change_permission(request, project) or version in (None, ""):
            return None
        if version == str(project.version) and not last:
            return None
        form = self.get_form(request, project, change=True)(instance=project)
        inline = next(i for i in self.get_inline_instances(request, project) if i.model is Development)
        data, conflict = merge_onto_current(
            project=project,
            data=posted,
            form=form,
            development_form_class=inline.get_formset(request, project).form,
            user=request.user,
        )
        conflict.unresolved = last
        request.POST = data
        return conflict

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        conflict = getattr(request, "edit_conflict", None)
        if conflict is None:
            return form_class
        return type(form_class.__name__, (form_class,), {"conflict": conflict})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        return {
            **super().get_formset_kwargs(request, obj, inline, prefix),
            "user": request.user,
            "conflict": getattr(request, "edit_conflict", None) if inline.model is Development else None,
        }

    def save_model(self, request, obj, form, change):
        if not change:
            self._create_project(request, obj, form)
            return
        # The optimistic lock, before any write of this save: under the project's row lock,
        # held until the page's transaction ends, a page built on an older version is refused
        # (StaleVersion, which changeform_view turns into a merge). Unchanged fields write nothing.
        updated = services.project_update(
            project=obj,
            user=request.user,
            expected_version=form.cleaned_data["expected_version"],
            **form.project_fields(),
        )
        obj.version, obj.updated, obj.search_text = updated.version, updated.updated, updated.search_text

    def _create_project(self, request, obj, form):
        data = form.cleaned_data
        fields = {
            name: data[name] for name in PROJECT_FIELDS if name in data and name not in PROJECT_RELATIONS
        }
        project = services.project_create(
            user=request.user,
            sectors=list(data["sectors"]),
            schemes=list(data.get("schemes") or []),
            responsible=list(data.get("responsible") or []),
            status=data.get("new_status") or Status.IDENTIFICATION,
            status_note=data.get("status_note", ""),
            **effective_kwargs(data.get("status_effective_on")),
            **fields,
        )
        # The admin goes on with its own instance (inlines, messages, redirect).
        for model_field in Project._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(project, model_field.attname))
        obj._state.adding = False
        obj._state.db = project._state.db

    # A save that changes nothing writes nothing and says so, instead of "changed successfully".

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        request.project_unchanged = not add and not message and not form.cleaned_data.get("new_status")
        return message

    def log_change(self, request, obj, message):
        if getattr(request, "project_unchanged", False):
            return None
        return super().log_change(request, obj, message)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "project_unchanged", False) and level == messages.SUCCESS:
            message, level = gettext("Nothing was changed, so nothing was saved."), messages.INFO
        return super().message_user(request, message, level, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        # form.save_m2m() is deliberately not called: the service already wrote the sectors
        # and schemes, together with the project's audit row.
        project = form.instance
        for formset in formsets:
            if formset.model is Development:
                self._save_developments(request, project, formset)
            else:  # the read-only status history
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        new_status = form.cleaned_data.get("new_status")
        if change and new_status and self.can_change_status(request):
            services.project_change_status(
                project=project,
                status=new_status,
                **effective_kwargs(form.cleaned_data.get("status_effective_on")),
                note=form.cleaned_data.get("status_note", ""),
                user=request.user,
                expected_version=project.version,
            )
        conflict = getattr(request, "edit_conflict", None)
        if change and conflict is not None and conflict.entries:
            self.message_user(
                request,
                conflict.summary() + " " + gettext("Your changes were saved on top of theirs."),
                messages.INFO,
            )

    def _save_developments(self, request, project, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = formset.deleted_forms
        for form in formset.initial_forms:
            development = form.instance
            if form in deleted and may_delete_development(request.user, development):
                services.development_delete(development=development, user=request.user)
                formset.deleted_objects.append(development)
            elif may_change_development(request.user, development) and form.has_changed():
                services.development_update(
                    development=development, user=request.user, **form.development_values()
                )
                formset.changed_objects.append((development, form.changed_data))
            else:
                continue
            project.refresh_from_db(fields=["version", "updated", "search_text"])
        for form in formset.extra_forms:
            if form.has_changed() and form not in deleted:
                development = services.development_add(
                    project=project,
                    user=request.user,
                    expected_version=project.version,
                    **form.development_values(),
                )
                formset.new_objects.append(development)
