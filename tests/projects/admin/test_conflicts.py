"""Two officers save one project: a real conflict is refused with what changed, the rest merged."""

from datetime import date

import pytest
from django.utils import translation

from accounts.roles import ADMINISTRATOR, EDITOR
from projects import services
from projects.admin.projects import ProjectAdmin
from projects.models import DatePrecision, Development, DevelopmentKind, Project, Status
from tests.admin_helpers import form_data, set_field
from tests.factories import (
    UserFactory,
)
from tests.projects.admin.pages import change_url

pytestmark = pytest.mark.django_db


# Two officers, one project


def _two_officers(client, project):
    """sato and suzuki open the same project page; returns (sato, suzuki, sato's page, suzuki's page)."""
    sato, suzuki = UserFactory(username="sato", role=EDITOR), UserFactory(username="suzuki", role=EDITOR)
    client.force_login(sato)
    sato_page = form_data(client.get(change_url(project)), "project_form")
    client.force_login(suzuki)
    suzuki_page = form_data(client.get(change_url(project)), "project_form")
    return sato, suzuki, sato_page, suzuki_page


def _add_row(data, text, when="", kind=DevelopmentKind.OTHER):
    index = int(data["developments-INITIAL_FORMS"][0])  # the empty row after the existing ones
    set_field(data, f"developments-{index}-kind", kind)
    set_field(data, f"developments-{index}-text", text)
    set_field(data, f"developments-{index}-when", when)
    return data


def test_a_colleagues_save_of_other_fields_is_kept_and_mine_applied_on_top(client, world):
    project = world["bangkok"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    client.force_login(sato)
    assert client.post(change_url(project), set_field(sato_page, "name", "佐藤の修正")).status_code == 302

    client.force_login(suzuki)
    response = client.post(change_url(project), set_field(suzuki_page, "summary", "鈴木の修正"), follow=True)

    project.refresh_from_db()
    assert (project.name, project.summary) == ("佐藤の修正", "鈴木の修正")  # nobody's edit is lost
    assert project.version == 3
    messages = [str(m) for m in response.context["messages"]]
    assert any("sato" in m and "保存" in m for m in messages), messages


def test_the_same_field_changed_by_both_is_shown_and_applied_in_one_more_click(client, world):
    project = world["bangkok"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    client.force_login(sato)
    assert client.post(change_url(project), set_field(sato_page, "name", "佐藤の修正")).status_code == 302

    client.force_login(suzuki)
    set_field(suzuki_page, "name", "鈴木の修正")
    set_field(suzuki_page, "summary", "鈴木の概要")
    _add_row(suzuki_page, "鈴木の動き", "2024-03")
    response = client.post(change_url(project), suzuki_page)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors.as_data()["__all__"][0].code == "stale"
    assert "sato" in form.non_field_errors()[0] and "?" not in form.non_field_errors()[0]
    assert "佐藤の修正" in form.errors["name"][0]  # their value, next to the field
    html = response.content.decode()
    assert 'id="edit-conflict"' in html and "佐藤の修正" in html  # the short diff of their change
    # Everything suzuki typed is still there.
    assert form["name"].value() == "鈴木の修正" and form["summary"].value() == "鈴木の概要"
    assert "鈴木の動き" in html and 'value="2024-03"' in html
    project.refresh_from_db()
    assert project.name == "佐藤の修正" and not project.developments.exists()

    again = client.post(change_url(project), form_data(response, "project_form"))

    assert again.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.summary) == ("鈴木の修正", "鈴木の概要")
    assert list(project.developments.values_list("text", "recorded_by__username")) == [
        ("鈴木の動き", "suzuki")
    ]


@pytest.mark.parametrize("first", ["sato", "suzuki"])
def test_two_new_developments_never_conflict(client, world, first):
    project = world["hsr"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    pages = {"sato": (sato, sato_page), "suzuki": (suzuki, suzuki_page)}
    second = "suzuki" if first == "sato" else "sato"
    for name in (first, second):
        user, page = pages[name]
        client.force_login(user)
        response = client.post(change_url(project), _add_row(page, f"{name}の動き", "令和6年3月"))
        assert response.status_code == 302, response.context["errors"]

    rows = list(project.developments.order_by("sequence").values_list("text", "date", "date_precision"))
    assert rows[-2:] == [
        (f"{first}の動き", date(2024, 3, 1), DatePrecision.MONTH),
        (f"{second}の動き", date(2024, 3, 1), DatePrecision.MONTH),
    ]
    assert len(rows) == 4  # the two the project had are untouched


def test_re_shown_development_rows_carry_their_own_captions(client, world):
    project = world["hsr"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    client.force_login(sato)
    _add_row(sato_page, "佐藤の動き")
    assert client.post(change_url(project), set_field(sato_page, "name", "佐藤の修正")).status_code == 302

    client.force_login(suzuki)
    response = client.post(change_url(project), set_field(suzuki_page, "name", "鈴木の修正"))

    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Development)
    shown = [(admin_form.original, admin_form.form) for admin_form in inline if admin_form.original]
    assert [original.text for original, _form in shown] == [
        "佐藤の動き",
        "2023年1月に協力準備調査の結果を説明",
        "２０２２年１１月 Ｆ／Ｓ開始",
    ]
    for original, row in shown:
        assert row["text"].value() == original.text


def test_a_status_change_after_a_colleagues_development_is_saved(client, world):
    project = world["bangkok"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    client.force_login(sato)
    assert client.post(change_url(project), _add_row(sato_page, "佐藤の動き")).status_code == 302

    client.force_login(suzuki)
    set_field(suzuki_page, "new_status", Status.SUSPENDED)
    set_field(suzuki_page, "status_note", "鈴木のメモ")
    assert client.post(change_url(project), suzuki_page).status_code == 302

    project.refresh_from_db()
    assert project.status == Status.SUSPENDED
    assert project.developments.get().text == "佐藤の動き"


def test_two_status_changes_conflict_and_the_second_applies_in_one_more_click(client, world):
    project = world["bangkok"]
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    client.force_login(sato)
    set_field(sato_page, "new_status", Status.PREPARATION)
    assert client.post(change_url(project), sato_page).status_code == 302

    client.force_login(suzuki)
    set_field(suzuki_page, "new_status", Status.SUSPENDED)
    set_field(suzuki_page, "status_effective_on", "2024年度")
    set_field(suzuki_page, "status_note", "鈴木のメモ")
    response = client.post(change_url(project), suzuki_page)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "sato" in form.errors["new_status"][0]
    assert (form["status_effective_on"].value(), form["status_note"].value()) == ("2024年度", "鈴木のメモ")
    project.refresh_from_db()
    assert project.status == Status.PREPARATION

    assert client.post(change_url(project), form_data(response, "project_form")).status_code == 302
    change = project.status_changes.order_by("-sequence").first()
    assert (change.status, change.previous_status, change.note) == (
        Status.SUSPENDED,
        Status.PREPARATION,
        "鈴木のメモ",
    )
    assert (change.effective_on, change.effective_precision) == (date(2024, 4, 1), DatePrecision.FISCAL_YEAR)


def _two_administrators(client, project):
    """As _two_officers, for two administrators: each may correct and delete any development."""
    sato = UserFactory(username="sato", role=ADMINISTRATOR)
    suzuki = UserFactory(username="suzuki", role=ADMINISTRATOR)
    client.force_login(sato)
    sato_page = form_data(client.get(change_url(project)), "project_form")
    client.force_login(suzuki)
    suzuki_page = form_data(client.get(change_url(project)), "project_form")
    return sato, suzuki, sato_page, suzuki_page


def test_a_development_i_changed_that_a_colleague_deleted_comes_back_as_a_new_one(client, world):
    project = world["hsr"]
    sato, suzuki, sato_page, suzuki_page = _two_administrators(client, project)
    client.force_login(sato)
    assert (
        client.post(change_url(project), set_field(sato_page, "developments-0-DELETE", "on")).status_code
        == 302
    )
    assert project.developments.count() == 1

    client.force_login(suzuki)
    response = client.post(change_url(project), set_field(suzuki_page, "developments-0-text", "鈴木の修正"))

    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Development)
    rows = inline.formset.forms
    assert [row["text"].value() for row in rows[:2]] == ["２０２２年１１月 Ｆ／Ｓ開始", "鈴木の修正"]
    assert rows[1].instance.pk is None
    assert "sato" in str(rows[1].non_field_errors()) and "新しい動き" in str(rows[1].non_field_errors())

    assert client.post(change_url(project), form_data(response, "project_form")).status_code == 302
    assert list(project.developments.order_by("sequence").values_list("text", "recorded_by__username")) == [
        ("２０２２年１１月 Ｆ／Ｓ開始", None),
        ("鈴木の修正", "suzuki"),
    ]


def test_deleting_a_development_a_colleague_changed_is_asked_again(client, world):
    project = world["hsr"]
    sato, suzuki, sato_page, suzuki_page = _two_administrators(client, project)
    client.force_login(sato)
    assert (
        client.post(
            change_url(project), set_field(sato_page, "developments-0-text", "佐藤の修正")
        ).status_code
        == 302
    )

    client.force_login(suzuki)
    response = client.post(change_url(project), set_field(suzuki_page, "developments-0-DELETE", "on"))

    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Development)
    first = inline.formset.forms[0]
    assert first["text"].value() == "佐藤の修正" and first["DELETE"].value()
    assert "sato" in str(first.non_field_errors())
    assert project.developments.filter(text="佐藤の修正").exists()

    assert client.post(change_url(project), form_data(response, "project_form")).status_code == 302
    assert list(project.developments.values_list("text", flat=True)) == ["２０２２年１１月 Ｆ／Ｓ開始"]


def test_a_refusal_over_plan_data_names_the_plan_import_not_a_question_mark(plan_data, client):
    project = Project.objects.get(number=1)
    sato, suzuki, sato_page, suzuki_page = _two_officers(client, project)
    services.project_update(project=project, user=None, name="コマンドで修正")

    client.force_login(suzuki)
    response = client.post(change_url(project), set_field(suzuki_page, "name", "鈴木の修正"))

    errors = response.context["adminform"].form.non_field_errors()
    assert "?" not in errors[0] and "コマンド" in errors[0]
    project.refresh_from_db()
    assert services.last_change(project).editor == "コマンドによる変更（利用者なし）"
    fresh = Project.objects.get(number=2)
    with translation.override("ja"):
        assert services.last_change(fresh).editor == "2023年計画の取込"
    with translation.override("en"):
        assert services.last_change(fresh).editor == "2023 plan import"


def test_a_stale_version_found_at_write_time_re_renders_the_form(editor_client, world, monkeypatch):
    """The write-time check (services, under the row lock) is the backstop when the admin's
    first look at the version missed a colleague's save."""
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    services.project_update(project=project, user=UserFactory(username="sato"), name="先に保存")
    real_merge = ProjectAdmin._merge_if_stale
    calls = []

    def merge_missing_once(self, request, object_id, posted, attempt):
        calls.append(attempt)
        if len(calls) == 1:  # the first look misses the concurrent save
            return None
        return real_merge(self, request, object_id, posted, attempt)

    monkeypatch.setattr(ProjectAdmin, "_merge_if_stale", merge_missing_once)
    set_field(data, "name", "後から")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 200
    assert "sato" in str(response.context["adminform"].form.non_field_errors())
    assert calls == [0, 1]  # refused when writing, then merged onto sato's version
    project.refresh_from_db()
    assert project.name == "先に保存"
