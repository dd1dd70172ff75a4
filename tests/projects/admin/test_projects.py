"""The project admin: the list and its columns, the change page, the languages and dates shown."""

import re
from datetime import date

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.roles import ADMINISTRATOR
from projects import services
from projects.admin.projects import ProjectAdmin
from projects.models import DatePrecision, Development, DevelopmentKind, Project, Status
from tests.admin_helpers import form_data, set_field
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
)
from tests.projects.admin.pages import CHANGELIST, change_url, numbers

pytestmark = pytest.mark.django_db


# The list


def test_changelist_shows_the_columns_sorted_by_number(editor_client, world):
    response = editor_client.get(CHANGELIST)

    assert response.status_code == 200
    assert numbers(response) == [1, 2, 10, 70]
    html = response.content.decode()
    assert "南北高速鉄道整備事業" in html
    assert "ベトナム" in html
    assert "鉄道" in html and "無償資金協力、円借款" in html
    with translation.override("ja"):
        assert str(Status.IMPLEMENTATION.label) in html
    # Latest development: its first words; the text opens with its date, so no date repeats it.
    assert '<td class="field-latest_development">2023年1月に協力準備調査の結果を説明' in html
    assert '<span class="development-date">2023年1月</span>' not in html
    first = response.context["cl"].result_list[0]
    assert first.won is False and response.context["cl"].result_list[1].won is True


def test_changelist_in_english_uses_english_names(editor_client, world):
    editor_client.cookies["django_language"] = "en"  # the language switch
    response = editor_client.get(CHANGELIST)

    html = response.content.decode()
    assert "Viet Nam" in html
    assert "ODA grant, ODA loan" in html
    assert '<td class="field-latest_development">2023年1月に協力準備調査の結果を説明' in html
    assert "Jan 2023" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"country__region__id__exact": w["africa"].pk}, [70]),
        (lambda w: {"country__id__exact": w["vietnam"].pk}, [1, 2]),
        (lambda w: {"sectors__id__exact": w["rail"].pk}, [1, 10]),
        (lambda w: {"scheme_family": "ODA"}, [1, 70]),
        (lambda w: {"scheme_family": "PPP"}, [2]),
        (lambda w: {"schemes__id__exact": w["loan"].pk}, [1, 70]),
        (lambda w: {"status__exact": Status.IMPLEMENTATION}, [2]),
        (lambda w: {"edition": "2023"}, [1, 2, 10, 70]),
        (lambda w: {"won": "yes"}, [2]),
        (lambda w: {"won": "no"}, [1, 10, 70]),
        (lambda w: {"edition": "2024"}, []),  # no such edition: nothing listed in it
        (lambda w: {"country__region__id__exact": w["asia"].pk, "scheme_family": "ODA"}, [1]),
        # Several values of one filter: any of them.
        (lambda w: {"country__id__exact": [w["vietnam"].pk, w["kenya"].pk]}, [1, 2, 70]),
        (lambda w: {"country__region__id__exact": [w["asia"].pk, w["africa"].pk]}, [1, 2, 10, 70]),
        (lambda w: {"status__exact": [Status.IMPLEMENTATION, Status.IDENTIFICATION]}, [1, 2, 10, 70]),
        (lambda w: {"scheme_family": ["PPP", "ODA"]}, [1, 2, 70]),
    ],
)
def test_changelist_filters(editor_client, world, params, expected):
    response = editor_client.get(CHANGELIST, params(world))

    assert response.status_code == 200
    assert numbers(response) == expected


def test_scheme_family_filter_lists_a_project_with_two_schemes_of_the_family_once(editor_client, world):
    response = editor_client.get(CHANGELIST, {"scheme_family": "ODA"})

    assert numbers(response).count(1) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("高速鉄道", [1]),
        ("1600km", [1]),  # the summary has it in full width
        ("ＭＯＭＢＡＳＡ", [70]),  # English name, typed in full width
        ("bangkok railway", [10]),  # every word must match
        ("Ｆ／Ｓ", [1]),  # development text
        ("f/s開始", [1]),
        ("受注", [2]),
        ("10", [10]),  # a number alone is the plan number
        ("１０", [10]),
        ("2022年11月", [1]),
        ("鉄道 タイ", [10]),  # タイ is the country of the Bangkok railway
        ("鉄道 ケニア", []),
        ("ベトナム", [1, 2]),  # the country's name, though neither text names it
        ("viet nam", [1, 2]),  # in English, spaced or not
        ("vietnam", [1, 2]),
        ("アフリカ", [70]),  # the region's name
        ("Southeast Asia", [1, 2, 10]),
        ("No.70", [70]),  # the plan's ways of naming a number
        ("No 70", [70]),
        ("Ｎｏ．７０", [70]),
        ("70番", [70]),
        ("第70", [70]),
        ("#70", [70]),
        ("No.71", []),
        ("ケニア No.70", [70]),
    ],
)
def test_search(editor_client, world, query, expected):
    response = editor_client.get(CHANGELIST, {"q": query})

    assert numbers(response) == expected


def _changelist_queries(client, monkeypatch, per_page, django_assert_num_queries, expected):
    monkeypatch.setattr(ProjectAdmin, "list_per_page", per_page)
    with django_assert_num_queries(expected):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(per_page, Project.objects.count())


# Session, user, the user's permissions (own and groups', in one query: accounts.permissions), the
# choices of five related-field filters (region, country, sector, scheme, listing group), the
# filtered and the full count, the page (with the reader's star: watches), three prefetches
# (sectors, schemes, responsible officers), and the user's saved filters (savedfilters: the
# default view's check and the menu): none per row.
CHANGELIST_QUERIES = 16


@pytest.mark.parametrize("per_page", [1, 50, 93])
def test_changelist_query_count_does_not_grow_with_the_page(
    editor_client, monkeypatch, django_assert_num_queries, per_page
):
    countries = [CountryFactory() for _ in range(5)]
    sectors = [SectorFactory() for _ in range(3)]
    schemes = [SchemeFactory() for _ in range(3)]
    for n in range(93):
        project = ProjectFactory(
            number=n + 1,
            country=countries[n % 5],
            sectors=[sectors[n % 3], sectors[(n + 1) % 3]],
            schemes=[schemes[n % 3]],
        )
        DevelopmentFactory(project=project, sequence=1, kind=DevelopmentKind.AWARD if n % 7 == 0 else "other")
        DevelopmentFactory(project=project, sequence=2)

    _changelist_queries(editor_client, monkeypatch, per_page, django_assert_num_queries, CHANGELIST_QUERIES)


@pytest.mark.parametrize("per_page", [1, 50, 93])
def test_changelist_query_count_on_the_plan(
    plan_data, editor_client, monkeypatch, django_assert_num_queries, per_page
):
    assert Project.objects.count() == 93
    _changelist_queries(editor_client, monkeypatch, per_page, django_assert_num_queries, CHANGELIST_QUERIES)


def test_changelist_of_the_plan_filters_and_searches(plan_data, editor_client):
    vietnam = editor_client.get(CHANGELIST, {"country__id__exact": Project.objects.get(number=1).country_id})
    search = editor_client.get(CHANGELIST, {"q": "ハノイ"})
    editor_client.cookies["django_language"] = "en"  # the language switch
    english = editor_client.get(CHANGELIST)

    assert 1 in numbers(vietnam) and all(
        p.country.iso_code == "VN" for p in vietnam.context["cl"].result_list
    )
    assert 1 in numbers(search)
    assert english.status_code == 200 and len(english.context["cl"].result_list) == 93


# The change page


def test_change_page_shows_developments_newest_first_and_the_status_history(editor_client, world):
    project = world["hsr"]
    services.project_change_status(project=project, status=Status.PREPARATION, note="F/S started")

    response = editor_client.get(change_url(project))

    assert response.status_code == 200
    inlines = {formset.formset.prefix: formset for formset in response.context["inline_admin_formsets"]}
    developments = [form.instance.sequence for form in inlines["developments"].formset.initial_forms]
    statuses = [form.instance.sequence for form in inlines["status_changes"].formset.initial_forms]
    assert developments == [2, 1]
    assert statuses == [2, 1]
    html = response.content.decode()
    assert "F/S started" in html
    # The month-only date is shown as typed.
    assert 'value="2023-01"' in html
    # The status history inline offers no add, change or delete.
    assert not inlines["status_changes"].has_add_permission
    assert not inlines["status_changes"].has_change_permission
    assert not inlines["status_changes"].has_delete_permission


def test_editing_a_project_writes_through_the_service(editor_client, editor, world):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name", "バンコク都市鉄道（レッドライン）")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "バンコク都市鉄道（レッドライン）"
    assert project.version == 2
    assert "レッドライン" in project.search_text
    last = project.history.first()
    assert last.history_user == editor
    assert last.name == project.name


def test_saving_an_unchanged_form_writes_nothing(editor_client, world):
    project = world["bangkok"]
    audit_rows = project.history.count()
    data = form_data(editor_client.get(change_url(project)), "project_form")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.version == 1
    assert project.history.count() == audit_rows


@pytest.mark.parametrize(
    ("typed", "expected_date", "precision", "expected_end"),
    [
        ("2024-03", date(2024, 3, 1), DatePrecision.MONTH, None),
        ("２０２４年３月", date(2024, 3, 1), DatePrecision.MONTH, None),
        ("2024-03-15", date(2024, 3, 15), DatePrecision.DAY, None),
        ("2024", date(2024, 1, 1), DatePrecision.YEAR, None),
        ("FY2024", date(2024, 4, 1), DatePrecision.FISCAL_YEAR, None),
        ("2024年度", date(2024, 4, 1), DatePrecision.FISCAL_YEAR, None),
        ("", None, DatePrecision.NONE, None),
    ],
)
def test_adding_a_development_from_the_project_page(
    editor_client, editor, world, typed, expected_date, precision, expected_end
):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "developments-0-kind", DevelopmentKind.AGREEMENT)
    set_field(data, "developments-0-text", "L/A 締結")
    set_field(data, "developments-0-when", typed)
    set_field(data, "developments-0-source", "在タイ大使館")
    data["developments-0-recorded_by"] = ["999"]  # never trusted

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302, response.context["errors"]
    development = project.developments.get()
    assert (development.kind, development.text, development.source) == (
        "agreement",
        "L/A 締結",
        "在タイ大使館",
    )
    assert (development.date, development.date_precision, development.date_end) == (
        expected_date,
        precision,
        expected_end,
    )
    assert development.recorded_by == editor
    assert development.recorded_at is not None
    assert development.sequence == 1
    assert development.history.get().history_user == editor
    project.refresh_from_db()
    assert project.version == 2
    assert "l/a締結" in project.search_text


def test_adding_a_development_with_a_range(editor_client, world):
    project = world["hsr"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    new = "developments-2"  # rows 0 and 1 are the existing developments
    set_field(data, f"{new}-kind", DevelopmentKind.PROCUREMENT)
    set_field(data, f"{new}-text", "2022年11月～2023年1月 入札")
    set_field(data, f"{new}-when", "2022-11")
    set_field(data, f"{new}-until", "2023-01")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    development = project.developments.get(sequence=3)
    assert (development.date, development.date_end, development.date_precision) == (
        date(2022, 11, 1),
        date(2023, 1, 1),
        DatePrecision.MONTH,
    )


@pytest.mark.parametrize(
    ("when", "until"),
    [("2024-13", ""), ("March 2024", ""), ("", "2024-05"), ("2024-05", "2024-03"), ("2024-03", "2025")],
)
def test_a_bad_development_date_is_refused_and_nothing_is_written(editor_client, world, when, until):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name", "changed too")
    set_field(data, "developments-0-kind", DevelopmentKind.OTHER)
    set_field(data, "developments-0-text", "text")
    set_field(data, "developments-0-when", when)
    set_field(data, "developments-0-until", until)

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 200
    assert response.context["errors"]
    # What the officer typed is still in the form.
    assert f'value="{when}"' in response.content.decode() or not when
    project.refresh_from_db()
    assert project.name != "changed too"
    assert not project.developments.exists()


def test_editing_an_existing_development(editor_client, editor, world):
    project = world["hsr"]
    project.developments.filter(sequence=2).update(recorded_by=editor)  # the editor's own
    data = form_data(editor_client.get(change_url(project)), "project_form")
    # Row 0 is the newest (sequence 2).
    set_field(data, "developments-0-when", "2023-01-20")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    development = project.developments.get(sequence=2)
    assert (development.date, development.date_precision) == (date(2023, 1, 20), DatePrecision.DAY)
    assert development.history.first().history_user == editor
    assert project.developments.get(sequence=1).history.count() == 1  # untouched row: no audit row


def test_changing_the_status_from_the_project_page(editor_client, editor, world):
    project = world["hsr"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "new_status", Status.PROCUREMENT)
    set_field(data, "status_effective_on", "2024-03-01")
    set_field(data, "status_note", "入札公示（大使館報告）")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.PROCUREMENT
    change = project.status_changes.order_by("-sequence").first()
    assert (change.sequence, change.previous_status, change.status) == (
        2,
        Status.IDENTIFICATION,
        Status.PROCUREMENT,
    )
    assert (change.effective_on, change.note, change.recorded_by) == (
        date(2024, 3, 1),
        "入札公示（大使館報告）",
        editor,
    )
    page = editor_client.get(change_url(project)).content.decode()
    assert "入札公示（大使館報告）" in page


def test_development_and_status_change_in_one_save(editor_client, world):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "developments-0-kind", DevelopmentKind.AWARD)
    set_field(data, "developments-0-text", "本邦企業が車両を受注")
    set_field(data, "developments-0-when", "2024-03")
    set_field(data, "new_status", Status.IMPLEMENTATION)

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.IMPLEMENTATION
    assert project.developments.count() == 1
    assert project.version == 3
    assert Project.objects.with_won().get(pk=project.pk).won


@pytest.mark.parametrize(
    ("status", "date_typed", "note"),
    [(Status.IDENTIFICATION, "", ""), ("", "2024-03-01", ""), ("", "", "a note")],
)
def test_a_status_section_that_would_be_lost_is_refused(editor_client, world, status, date_typed, note):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "new_status", status)
    set_field(data, "status_effective_on", date_typed)
    set_field(data, "status_note", note)

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 200
    assert "new_status" in response.context["adminform"].form.errors
    assert project.status_changes.count() == 1


def test_a_failing_status_change_rolls_back_the_whole_save(editor_client, world, monkeypatch):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "name", "renamed")
    set_field(data, "developments-0-kind", DevelopmentKind.OTHER)
    set_field(data, "developments-0-text", "動き")
    set_field(data, "new_status", Status.PREPARATION)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "project_change_status", broken)
    with pytest.raises(RuntimeError):
        editor_client.post(change_url(project), data)

    project.refresh_from_db()
    assert project.name != "renamed"
    assert not project.developments.exists()


def test_adding_a_project(editor_client, editor, world):
    data = form_data(editor_client.get(reverse("admin:projects_project_add")), "project_form")
    data.update(
        {
            "number": ["94"],
            "name": ["新規港湾事業"],
            "name_en": ["New Port"],
            "summary": ["港湾を整備する"],
            "country": [str(world["kenya"].pk)],
            "listing_group": [str(world["group_th"].pk)],
            "sectors": [str(world["rail"].pk)],
            "new_status": [Status.PREPARATION],
            "status_note": ["MoC 署名"],
            "developments-0-kind": [DevelopmentKind.AGREEMENT],
            "developments-0-text": ["MoC 署名"],
            "developments-0-when": ["2024-02"],
        }
    )

    response = editor_client.post(reverse("admin:projects_project_add"), data)

    assert response.status_code == 302, response.context["errors"]
    project = Project.objects.get(number=94)
    assert project.status == Status.PREPARATION
    assert project.status_changes.get().note == "MoC 署名"
    assert project.developments.get().recorded_by == editor
    assert list(project.sectors.all()) == [world["rail"]]
    assert project.history.get(history_type="+").history_user == editor
    assert "moc署名" in project.search_text


# Language


def test_the_admin_is_in_japanese_by_default_and_english_on_request(editor_client):
    japanese = editor_client.get(reverse("admin:index")).content.decode()
    # The browser's language does not switch the admin; the language switch does.
    browser_english = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    editor_client.cookies["django_language"] = "en"  # the language switch
    english = editor_client.get(reverse("admin:index")).content.decode()

    assert "サイト管理" in japanese  # Django's own translation of "Site administration"
    assert "サイト管理" in browser_english
    assert "Site administration" in english
    assert 'id="language-switch"' in japanese


def test_the_language_switch_changes_the_language(editor_client):
    response = editor_client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})

    assert response.status_code == 302
    assert "Site administration" in editor_client.get(reverse("admin:index")).content.decode()


def test_the_login_page_has_the_language_switch(client):
    html = client.get(reverse("admin:login")).content.decode()

    assert 'id="language-switch"' in html


def test_project_admin_is_registered_with_history():
    from simple_history.admin import SimpleHistoryAdmin

    assert isinstance(django_admin.site._registry[Project], SimpleHistoryAdmin)
    # Developments are edited on the project page only: their list across projects is read-only.
    developments = django_admin.site._registry[Development]
    request = RequestFactory().get("/")
    request.user = UserFactory(role=ADMINISTRATOR)
    assert not developments.has_add_permission(request)
    assert not developments.has_change_permission(request)
    assert not developments.has_delete_permission(request)


# English mode, yes/no columns, an unchanged save


def test_english_mode_names_projects_in_english(editor_client, world):
    editor_client.cookies["django_language"] = "en"
    listing = editor_client.get(CHANGELIST).content.decode()
    page = editor_client.get(change_url(world["bangkok"])).content.decode()

    assert ">Bangkok Urban Railway</a>" in listing
    assert "バンコク都市鉄道" not in listing
    assert "<h2>10 Bangkok Urban Railway</h2>" in page
    with translation.override("ja"):
        assert str(world["bangkok"]) == "10 バンコク都市鉄道"


def test_yes_no_columns_show_a_check_for_yes_and_nothing_for_no(editor_client, world):
    html = editor_client.get(CHANGELIST).content.decode()

    assert "icon-no.svg" not in html
    assert html.count("icon-yes.svg") == 1  # project 2 won (the new mark is the edition's now)


def test_latest_development_shows_its_date_when_the_text_does_not(editor_client, world):
    DevelopmentFactory(
        project=world["mombasa"],
        sequence=1,
        text="入札公示",
        date=date(2024, 3, 1),
        date_precision=DatePrecision.MONTH,
    )

    html = editor_client.get(CHANGELIST).content.decode()

    assert '<span class="development-date">2024年3月</span> 入札公示' in html


def test_saving_an_unchanged_project_says_nothing_changed(editor_client, world):
    from django.contrib.admin.models import LogEntry

    project = world["bangkok"]
    url = change_url(project)
    data = form_data(editor_client.get(url), "project_form")

    response = editor_client.post(url, {**data, "_continue": "1"}, follow=True)

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [("info", "変更がないため、保存しませんでした。")]
    project.refresh_from_db()
    assert project.version == world["bangkok"].version
    assert not LogEntry.objects.filter(object_id=str(project.pk)).exists()


# Dates as people read them


def test_one_date_style_per_language_in_tokyo_time(editor_client, editor, world):
    from datetime import UTC, datetime

    project = world["bangkok"]
    DevelopmentFactory(
        project=project,
        sequence=1,
        text="記録時刻の確認",
        recorded_by=editor,
        recorded_at=datetime(2024, 3, 20, 4, 5, tzinfo=UTC),  # 13:05 in Tokyo
    )
    services.project_change_status(
        project=project,
        status=Status.PROCUREMENT,
        effective_on=date(2024, 4, 1),
        effective_precision=DatePrecision.FISCAL_YEAR,
    )

    japanese = editor_client.get(change_url(project)).content.decode()
    editor_client.cookies["django_language"] = "en"
    english = editor_client.get(change_url(project)).content.decode()

    assert "2024年3月20日 13:05" in japanese and "2024年度" in japanese
    assert "20 Mar 2024 13:05" in english and "FY2024" in english
    editor_client.cookies["django_language"] = "ja"
    history = editor_client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode()
    assert re.search(r"<th scope=\"row\">\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d</th>", history)
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", history)


def test_the_status_offered_excludes_the_current_one_and_takes_partial_dates(editor_client, world):
    project = world["bangkok"]
    page = editor_client.get(change_url(project))
    choices = [value for value, _label in page.context["adminform"].form.fields["new_status"].choices]
    assert project.status not in choices and Status.PROCUREMENT in choices

    data = form_data(page, "project_form")
    set_field(data, "new_status", Status.PROCUREMENT)
    set_field(data, "status_effective_on", "令和6年3月")
    set_field(data, "status_note", "入札公示")
    assert editor_client.post(change_url(project), data).status_code == 302
    change = project.status_changes.order_by("-sequence").first()
    assert (change.effective_on, change.effective_precision) == (date(2024, 3, 1), DatePrecision.MONTH)


def test_a_refused_save_keeps_a_typed_fiscal_year_and_marks_the_field(editor_client, world):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "new_status", Status.PROCUREMENT)
    set_field(data, "status_effective_on", "2024年度")
    set_field(data, "developments-0-kind", DevelopmentKind.OTHER)
    set_field(data, "developments-0-text", "")  # required: the save is refused
    set_field(data, "developments-0-when", "令和6年度")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2024年度"' in html and 'value="令和6年度"' in html
    assert "projects/change_form.js" in html  # scrolls to the first message


def test_an_impossible_status_date_is_refused_next_to_its_field(editor_client, world):
    project = world["bangkok"]
    data = form_data(editor_client.get(change_url(project)), "project_form")
    set_field(data, "new_status", Status.PROCUREMENT)
    set_field(data, "status_effective_on", "2024-02-30")

    response = editor_client.post(change_url(project), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status_effective_on"] == [
        "存在しない日付です: 2024-02-30"
    ]
