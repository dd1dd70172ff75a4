from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.roles import EDITOR
from projects import services
from projects.models import DatePrecision, Development, DevelopmentKind, Project, Status, StatusChange
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="tanaka", role=EDITOR)


@pytest.fixture
def project():
    return ProjectFactory(number=7, name="マニラ首都圏地下鉄", summary="地下鉄を整備")


def audit_counts(project):
    return (
        project.history.count(),
        Development.history.filter(project_id=project.pk).count(),
        StatusChange.history.filter(project_id=project.pk).count(),
    )


# project_change_status


def test_change_status_records_history_and_current_status_together(project, user):
    before = audit_counts(project)

    change = services.project_change_status(
        project=project, status=Status.PROCUREMENT, effective_on=date(2024, 3, 1), note="入札公示", user=user
    )

    project.refresh_from_db()
    assert project.status == Status.PROCUREMENT
    assert project.version == 2
    assert (change.sequence, change.previous_status, change.status) == (
        2,
        Status.IDENTIFICATION,
        Status.PROCUREMENT,
    )
    assert (change.effective_on, change.note, change.recorded_by) == (date(2024, 3, 1), "入札公示", user)
    # One audit row for each changed row: the project (its status) and the new status change.
    assert audit_counts(project) == (before[0] + 1, before[1], before[2] + 1)
    assert project.history.first().status == Status.PROCUREMENT
    assert project.history.first().history_user == user
    assert change.history.get().history_user == user


def test_change_status_numbers_the_history(project):
    for status in (Status.PREPARATION, Status.PROCUREMENT, Status.IMPLEMENTATION):
        services.project_change_status(project=project, status=status)

    assert list(project.status_changes.values_list("sequence", "previous_status", "status")) == [
        (1, "", Status.IDENTIFICATION),
        (2, Status.IDENTIFICATION, Status.PREPARATION),
        (3, Status.PREPARATION, Status.PROCUREMENT),
        (4, Status.PROCUREMENT, Status.IMPLEMENTATION),
    ]
    assert project.version == 4


@pytest.mark.parametrize("status", [Status.IDENTIFICATION, "finished"])
def test_change_status_refuses_the_same_or_an_unknown_status(project, status):
    with pytest.raises(ValidationError):
        services.project_change_status(project=project, status=status)

    project.refresh_from_db()
    assert project.status_changes.count() == 1
    assert project.version == 1


def test_change_status_is_one_transaction(project, monkeypatch):
    def fail(self, *args, **kwargs):
        raise IntegrityError("simulated failure after the history row was written")

    monkeypatch.setattr(Project, "save", fail)
    with pytest.raises(IntegrityError):
        services.project_change_status(project=project, status=Status.SUSPENDED)
    monkeypatch.undo()

    project.refresh_from_db()
    assert project.status == Status.IDENTIFICATION
    assert project.status_changes.count() == 1
    assert not StatusChange.history.filter(project_id=project.pk, status=Status.SUSPENDED).exists()


def test_change_status_of_a_stale_version_is_refused(project, user):
    services.project_update(project=project, user=user, name="先に保存")

    with pytest.raises(services.StaleVersion) as refused:
        services.project_change_status(project=project, status=Status.SUSPENDED, expected_version=1)

    assert "tanaka" in str(refused.value)
    project.refresh_from_db()
    assert project.status == Status.IDENTIFICATION
    assert project.status_changes.count() == 1


# project_change_status_bulk


def test_change_status_bulk_changes_each_project_and_skips_those_already_there(user):
    first, second = ProjectFactory(number=1), ProjectFactory(number=2)
    there = ProjectFactory(number=3, status=Status.PROCUREMENT)
    before = {p.pk: audit_counts(p) for p in (first, second, there)}

    changed, skipped = services.project_change_status_bulk(
        [first, there, second],
        status=Status.PROCUREMENT,
        effective_on=date(2024, 4, 1),
        effective_precision=DatePrecision.FISCAL_YEAR,
        note="閣議決定（一括）",
        user=user,
    )

    assert (changed, skipped) == ([first, second], [there])  # in the order given
    for project in changed:
        project.refresh_from_db()
        assert (project.status, project.version) == (Status.PROCUREMENT, 2)
        change = project.status_changes.get(sequence=2)
        assert (change.previous_status, change.note, change.recorded_by) == (
            Status.IDENTIFICATION,
            "閣議決定（一括）",
            user,
        )
        assert (change.effective_on, change.effective_precision) == (
            date(2024, 4, 1),
            DatePrecision.FISCAL_YEAR,
        )
        # One audit row for the project (its status) and one for the new status change.
        projects, developments, changes = before[project.pk]
        assert audit_counts(project) == (projects + 1, developments, changes + 1)
        assert project.history.first().history_user == user
    there.refresh_from_db()
    assert (there.version, there.status_changes.count()) == (1, 1)
    assert audit_counts(there) == before[there.pk]


def test_change_status_bulk_without_a_date_or_a_user(project):
    changed, skipped = services.project_change_status_bulk([project], status=Status.CANCELLED)

    assert (changed, skipped) == ([project], [])
    change = project.status_changes.get(sequence=2)
    assert (change.effective_on, change.effective_precision, change.note, change.recorded_by) == (
        None,
        DatePrecision.NONE,
        "",
        None,
    )


def test_change_status_bulk_does_not_expect_a_version(project, user):
    # The projects were chosen from a list, not edited: a colleague's edit since is no reason
    # to refuse, and is kept.
    stale = Project.objects.get(pk=project.pk)
    services.project_update(project=project, user=UserFactory(username="sato"), name="佐藤の修正")

    changed, _skipped = services.project_change_status_bulk([stale], status=Status.SUSPENDED, user=user)

    assert changed == [stale]
    project.refresh_from_db()
    assert (project.name, project.status, project.version) == ("佐藤の修正", Status.SUSPENDED, 3)


def test_change_status_bulk_is_all_or_nothing(user):
    first = ProjectFactory(number=1)
    # Loaded before another writer gave it the status: not skipped, so refused under the lock.
    stale = ProjectFactory(number=2)
    services.project_change_status(project=Project.objects.get(pk=stale.pk), status=Status.SUSPENDED)
    before = audit_counts(first)

    with pytest.raises(ValidationError):
        services.project_change_status_bulk([first, stale], status=Status.SUSPENDED, user=user)

    first.refresh_from_db()
    assert (first.status, first.version, first.status_changes.count()) == (Status.IDENTIFICATION, 1, 1)
    assert audit_counts(first) == before


# developments


def test_development_add_numbers_refreshes_search_and_bumps_version(project, user):
    before = audit_counts(project)

    first = services.development_add(
        project=project, kind=DevelopmentKind.AGREEMENT, text="２０２４年３月 Ｌ／Ａ締結", user=user
    )
    second = services.development_add(
        project=project,
        kind=DevelopmentKind.PROCUREMENT,
        text="入札公示",
        date=date(2024, 4, 1),
        date_precision=DatePrecision.MONTH,
        user=user,
        expected_version=2,
    )

    assert (first.sequence, second.sequence) == (1, 2)
    assert first.date_precision == DatePrecision.NONE
    assert first.recorded_by == user and first.recorded_at is not None
    project.refresh_from_db()
    assert project.version == 3
    assert "2024年3月l/a締結" in project.search_text
    assert Project.objects.search("Ｌ／Ａ").get() == project
    # The developments are audited; the project's version bump is not a change of its own.
    assert audit_counts(project) == (before[0], before[1] + 2, before[2])
    assert first.history.get().history_user == user


def test_development_add_to_a_stale_version_is_refused(project):
    services.development_add(project=project, kind=DevelopmentKind.OTHER, text="先")

    with pytest.raises(services.StaleVersion):
        services.development_add(project=project, kind=DevelopmentKind.OTHER, text="後", expected_version=1)

    assert list(project.developments.values_list("text", flat=True)) == ["先"]


def test_development_update_and_delete_are_audited_and_refresh_search(project, user):
    development = services.development_add(project=project, kind=DevelopmentKind.OTHER, text="検討中")

    services.development_update(
        development=development, user=user, text="F/S 開始", kind=DevelopmentKind.STUDY
    )
    project.refresh_from_db()
    assert "f/s開始" in project.search_text and "検討中" not in project.search_text
    update = development.history.first()
    assert (update.history_type, update.history_user, update.text) == ("~", user, "F/S 開始")

    development_id = development.pk
    services.development_delete(development=development, user=user)
    project.refresh_from_db()
    assert "f/s開始" not in project.search_text
    assert project.version == 4
    deleted = Development.history.filter(id=development_id).first()
    assert (deleted.history_type, deleted.history_user) == ("-", user)


def test_development_update_refuses_unknown_fields(project):
    development = DevelopmentFactory(project=project, sequence=1)

    with pytest.raises(TypeError):
        services.development_update(development=development, sequence=9)


# project_create and project_update


def test_project_create_writes_one_audit_row_with_its_sectors_and_schemes(user):
    rail, loan = SectorFactory(code="rail"), SchemeFactory(code="oda-loan")

    project = services.project_create(
        user=user,
        sectors=[rail],
        schemes=[loan],
        status=Status.PREPARATION,
        status_note="MoC",
        number=94,
        name="新線",
        name_en="New Line",
        summary="新線を整備",
        country=CountryFactory(),
    )

    audit = project.history.get()
    assert (audit.history_type, audit.history_user) == ("+", user)
    assert [row.sector for row in audit.sectors.all()] == [rail]
    assert [row.scheme for row in audit.schemes.all()] == [loan]
    first = project.status_changes.get()
    assert (first.sequence, first.status, first.note, first.recorded_by) == (
        1,
        Status.PREPARATION,
        "MoC",
        user,
    )
    assert "新線" in project.search_text
    assert project.status == Status.PREPARATION


def test_project_create_needs_a_sector():
    with pytest.raises(ValidationError):
        services.project_create(
            sectors=[],
            number=95,
            name="x",
            name_en="x",
            summary="x",
            country=CountryFactory(),
        )

    assert not Project.objects.filter(number=95).exists()


def test_project_update_writes_one_audit_row_for_fields_and_sectors(project, user):
    port = SectorFactory(code="port")
    before = project.history.count()

    updated = services.project_update(project=project, user=user, name="マニラ地下鉄", sectors=[port])

    assert project.history.count() == before + 1
    audit = project.history.first()
    assert (audit.name, audit.history_user) == ("マニラ地下鉄", user)
    assert [row.sector for row in audit.sectors.all()] == [port]
    assert updated.version == 2
    assert "マニラ地下鉄" in updated.search_text


def test_project_update_of_a_stale_version_is_refused_and_keeps_the_first_edit(project):
    first, second = UserFactory(username="sato"), UserFactory(username="suzuki")
    services.project_update(project=project, user=first, expected_version=1, name="佐藤の修正")

    with pytest.raises(services.StaleVersion) as refused:
        services.project_update(project=project, user=second, expected_version=1, summary="鈴木の修正")

    message = str(refused.value)
    assert "sato" in message
    assert refused.value.changed_by == "sato"
    project.refresh_from_db()
    assert (project.name, project.summary, project.version) == ("佐藤の修正", "地下鉄を整備", 2)


def test_project_update_refuses_the_status_and_unknown_fields(project):
    with pytest.raises(TypeError):
        services.project_update(project=project, status=Status.CANCELLED)


def test_stale_version_names_who_changed_the_project_and_when(project, user):
    services.project_update(project=project, user=user, name="更新")
    with pytest.raises(services.StaleVersion) as refused:
        services.project_update(project=project, expected_version=1, name="古い")

    assert refused.value.changed_at == project.history.first().history_date
    assert "tanaka" in str(refused.value)
