from projects.models import PROJECT_FIELDS, PROJECT_RELATIONS, Project
from projects.services import OWN_FIELDS


def test_project_fields_are_the_fields_an_editor_sets():
    # A field added to Project is either listed here (the admin's form, the services) or not
    # editable (set by the code: status, version, search text, timestamps).
    editable = {
        field.name
        for field in Project._meta.get_fields()
        if field.concrete and field.editable and not field.primary_key
    }
    assert set(PROJECT_FIELDS) == editable
    assert len(PROJECT_FIELDS) == len(editable)
    assert {field.name for field in Project._meta.many_to_many} == set(PROJECT_RELATIONS)
    assert OWN_FIELDS == {
        "number",
        "name",
        "name_en",
        "summary",
        "note",
        "country",
        "listing_group",
        "is_new",
    }
